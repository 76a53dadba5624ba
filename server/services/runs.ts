import { and, asc, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { resolveStartPolicy } from "../../core/policy-versions";
import { resumeStep } from "../../core/run-checkpoints";
import { inTransaction, type Db } from "../../db/client";
import type { RunKind } from "../../db/enums";
import { runArtifacts, runEvents, trainingRuns } from "../../db/schema";
import { runKindSpec, type RunKindSpec } from "../../trainer/launcher";
import { ServiceError } from "./errors";

/** Who asks for the run: paths in a config are trusted only from the person at the terminal. */
export type RunOrigin = "api" | "cli";

function hasField(config: Record<string, unknown>, dotted: string): boolean {
  let at: unknown = config;
  for (const key of dotted.split(".")) {
    if (typeof at !== "object" || at === null || !(key in at)) return false;
    at = (at as Record<string, unknown>)[key];
  }
  return at !== undefined && at !== null;
}

function requireSpec(kind: RunKind): RunKindSpec {
  const spec = runKindSpec(kind);
  if (!spec) throw new ServiceError("BAD_REQUEST", `This preflab cannot run "${kind}" training yet.`);
  return spec;
}

/** Validates a run config against its kind's schema; the message names every bad field. */
export function parseRunConfig(kind: RunKind, config: unknown, origin: RunOrigin = "api"): Record<string, unknown> {
  const spec = requireSpec(kind);
  const raw = (config ?? {}) as Record<string, unknown>;
  const paths = origin === "api" ? spec.cliOnlyFields.filter((f) => hasField(raw, f)) : [];
  if (paths.length) {
    const why = "names a file on the server and is accepted only from the command line; refer to data and models by id.";
    throw new ServiceError("BAD_REQUEST", `Invalid ${kind} config: ${paths.join(", ")} ${why}`, paths.map((f) => ({ path: f.split("."), message: `${f} ${why}` })));
  }
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: i.message }));
    throw new ServiceError("BAD_REQUEST", `Invalid ${kind} config: ${z.prettifyError(parsed.error)}`, issues);
  }
  return parsed.data;
}

/** The policy a run starts from, fixed when it is queued (policy kinds: the project's newest unless named). */
function startPolicyId(db: Db, spec: RunKindSpec, projectId: number | null, config: Record<string, unknown>): number | null {
  const asked = typeof config.policyId === "number" ? config.policyId : null;
  if (!spec.producesPolicy || (!spec.needsProject && asked === null)) return asked;
  try {
    return resolveStartPolicy(db, projectId, asked).id;
  } catch (error) {
    throw new ServiceError("BAD_REQUEST", (error as Error).message);
  }
}

export function queueRun(db: Db, input: { kind: RunKind; projectId: number | null; config: unknown; createdBy: number | null; origin?: RunOrigin }) {
  const spec = requireSpec(input.kind);
  if (spec.needsProject && input.projectId === null) throw new ServiceError("BAD_REQUEST", `A ${input.kind} run trains on a project's judgements: name the project.`);
  const config = parseRunConfig(input.kind, input.config, input.origin);
  const basePolicyId = startPolicyId(db, spec, input.projectId, config);
  if ("policyId" in config) config.policyId = basePolicyId;
  return db
    .insert(trainingRuns)
    .values({ kind: input.kind, projectId: input.projectId, config, basePolicyId, createdBy: input.createdBy })
    .returning()
    .get();
}

export function requireRun(db: Db, runId: number) {
  const run = db.select().from(trainingRuns).where(eq(trainingRuns.id, runId)).get();
  if (!run) throw new ServiceError("NOT_FOUND", `No run with id ${runId}.`);
  return run;
}

export function listRuns(db: Db, projectId?: number) {
  return db
    .select()
    .from(trainingRuns)
    .where(projectId === undefined ? undefined : eq(trainingRuns.projectId, projectId))
    .orderBy(desc(trainingRuns.id))
    .limit(200)
    .all();
}

/** A run with its progress events (oldest first) and artifacts, for the run page. */
export function runDetails(db: Db, runId: number) {
  const run = requireRun(db, runId);
  const events = db.select().from(runEvents).where(eq(runEvents.runId, runId)).orderBy(asc(runEvents.id)).all();
  const artifacts = db.select().from(runArtifacts).where(eq(runArtifacts.runId, runId)).orderBy(asc(runArtifacts.id)).all();
  return { run, events, artifacts };
}

/** Queued runs are cancelled at once; running ones stop within a step (the worker checks). */
export function cancelRun(db: Db, runId: number) {
  const run = requireRun(db, runId);
  if (run.status === "queued") {
    db.update(trainingRuns).set({ status: "cancelled", finishedAt: new Date() }).where(and(eq(trainingRuns.id, runId), eq(trainingRuns.status, "queued"))).run();
  } else if (run.status === "running") {
    db.update(trainingRuns).set({ cancelRequested: true }).where(eq(trainingRuns.id, runId)).run();
  } else {
    throw new ServiceError("CONFLICT", `Run ${runId} has already ${run.status}.`);
  }
  return requireRun(db, runId);
}

/**
 * A failed or cancelled run goes back to the queue and continues from its last checkpoint: its
 * step goes back to the checkpoint's (the worker drops the progress rows after it when it starts
 * the run again), and the log says where it resumes.
 */
export function resumeRun(db: Db, runId: number) {
  const run = requireRun(db, runId);
  if (run.status !== "failed" && run.status !== "cancelled")
    throw new ServiceError("CONFLICT", `Only failed or cancelled runs can be resumed; run ${runId} is ${run.status}.`);
  inTransaction(db, (tx) => {
    const step = resumeStep(tx, run);
    const message = run.lastCheckpoint ? `Resumed: continuing from its checkpoint at step ${step}.` : "Resumed: it had no checkpoint, so it starts again from the beginning.";
    tx.insert(runEvents).values({ runId, step, message }).run();
    tx.update(trainingRuns).set({ status: "queued", cancelRequested: false, error: null, finishedAt: null, step }).where(eq(trainingRuns.id, runId)).run();
  });
  return requireRun(db, runId);
}
