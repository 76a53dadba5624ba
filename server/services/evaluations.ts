/**
 * Evaluations of a project: `evaluate` runs (queued here, executed by the worker) with one row per
 * policy against its base, the human win rate of each from blind pair tasks, and the `sample` runs
 * that create those tasks.
 */
import { and, asc, desc, eq, inArray, isNotNull, isNull, or } from "drizzle-orm";
import { evaluationPrompts, lineageRoot } from "../../core/evaluation-prompts";
import { inTransaction, type Db } from "../../db/client";
import { evaluations, policies, trainingRuns } from "../../db/schema";
import { evaluateConfigSchema } from "../../trainer/evaluate/config";
import { ServiceError } from "./errors";
import { humanWinRate } from "./evaluations-human";
import { queueRun, requireRun } from "./runs";

type PolicyRow = typeof policies.$inferSelect;
const label = (p: Pick<PolicyRow, "name" | "version">) => `${p.name}@${p.version}`;

/** Policies an evaluation can compare: versions with a checkpoint or an endpoint (external), of this project or shared (built-in). */
export function evaluablePolicies(db: Db, projectId: number) {
  const rows = db.select().from(policies)
    .where(and(or(isNotNull(policies.path), eq(policies.kind, "external")), or(eq(policies.projectId, projectId), isNull(policies.projectId))))
    .orderBy(asc(policies.name), asc(policies.version)).all();
  const byId = new Map(rows.map((p) => [p.id, p]));
  return rows.map((p) => ({ id: p.id, name: p.name, version: p.version, label: label(p), kind: p.kind, parentId: p.parentId, parent: p.parentId !== null && byId.has(p.parentId) ? label(byId.get(p.parentId)!) : null, runId: p.runId, createdAt: p.createdAt }));
}

function policyLabels(db: Db, ids: number[]): Map<number, string> {
  if (ids.length === 0) return new Map();
  return new Map(db.select().from(policies).where(inArray(policies.id, ids)).all().map((p) => [p.id, label(p)]));
}

function runStatuses(db: Db, ids: number[]): Map<number, string> {
  if (ids.length === 0) return new Map();
  return new Map(db.select({ id: trainingRuns.id, status: trainingRuns.status }).from(trainingRuns).where(inArray(trainingRuns.id, ids)).all().map((r) => [r.id, r.status]));
}

function describeRun(db: Db, run: typeof trainingRuns.$inferSelect) {
  const rows = db.select().from(evaluations).where(eq(evaluations.runId, run.id)).orderBy(asc(evaluations.id)).all();
  const config = evaluateConfigSchema.parse(run.config);
  const labels = policyLabels(db, [...config.policyIds, ...(config.baseId ? [config.baseId] : []), ...rows.map((r) => r.basePolicyId)]);
  const baseId = rows[0]?.basePolicyId ?? config.baseId;
  const statuses = runStatuses(db, rows.flatMap((r) => (r.humanRunId ? [r.humanRunId] : [])));
  return {
    run: { id: run.id, status: run.status, error: run.error, step: run.step, totalSteps: run.totalSteps, createdAt: run.createdAt, finishedAt: run.finishedAt },
    config,
    base: baseId ? { id: baseId, label: labels.get(baseId) ?? `policy ${baseId}` } : null,
    policies: config.policyIds.map((id) => ({ id, label: labels.get(id) ?? `policy ${id}` })),
    rows: rows.map((r) => ({
      id: r.id, policyId: r.policyId, policy: labels.get(r.policyId) ?? `policy ${r.policyId}`, rewardModelId: r.rewardModelId,
      prompts: r.promptIds.length, metrics: r.metrics, samples: r.samples,
      human: humanWinRate(db, { policyId: r.policyId, baseId: r.basePolicyId, promptIds: r.promptIds }),
      humanRun: r.humanRunId ? { id: r.humanRunId, status: statuses.get(r.humanRunId) ?? "deleted" } : null,
    })),
  };
}

export type EvaluationView = ReturnType<typeof describeRun>;

/** The project's evaluate runs, newest first, each with its rows and human win rates. */
export function listEvaluations(db: Db, projectId: number): EvaluationView[] {
  return db.select().from(trainingRuns).where(and(eq(trainingRuns.projectId, projectId), eq(trainingRuns.kind, "evaluate")))
    .orderBy(desc(trainingRuns.id)).limit(50).all().map((run) => describeRun(db, run));
}

export function getEvaluation(db: Db, runId: number): EvaluationView {
  const run = requireRun(db, runId);
  if (run.kind !== "evaluate") throw new ServiceError("NOT_FOUND", `Run ${runId} is a ${run.kind} run, not an evaluation.`);
  return describeRun(db, run);
}

/** Validates the policies and the prompts now (not minutes later in the worker), fixes the base, queues. */
export function queueEvaluation(db: Db, input: { projectId: number; config: Record<string, unknown>; createdBy: number | null }) {
  const parsed = evaluateConfigSchema.safeParse(input.config);
  if (!parsed.success) return queueRun(db, { kind: "evaluate", projectId: input.projectId, config: input.config, createdBy: input.createdBy }); // its message names the bad fields
  const config = parsed.data;
  if (config.policyIds.length === 0) throw new ServiceError("BAD_REQUEST", "Pick at least one policy to evaluate.");
  const allowed = new Map(evaluablePolicies(db, input.projectId).map((p) => [p.id, p]));
  const unknown = [...config.policyIds, ...(config.baseId ? [config.baseId] : [])].filter((id) => !allowed.has(id));
  if (unknown.length) throw new ServiceError("BAD_REQUEST", `Policies ${unknown.join(", ")} are not checkpoints or endpoints of this project (or the built-in one).`);
  const baseId = config.baseId ?? lineageRoot(db, config.policyIds[0]!).id;
  const prompts = evaluationPrompts(db, input.projectId, [...config.policyIds, baseId], config);
  if (prompts.length === 0) throw new ServiceError("BAD_REQUEST", config.prompts === "test"
    ? "This project has no held-out prompts for these policies (every prompt was judged before they were trained): import unlabelled prompts, or evaluate on all prompts."
    : "This project has no prompts to evaluate on.");
  return queueRun(db, { kind: "evaluate", projectId: input.projectId, config: { ...config, baseId }, createdBy: input.createdBy });
}

/** The blind pairs a human comparison would create: one pair task per prompt per policy (against the base). */
export function humanComparisonPlan(db: Db, runId: number) {
  const view = getEvaluation(db, runId);
  if (view.run.status !== "succeeded") throw new ServiceError("CONFLICT", `Evaluation run ${runId} has not succeeded yet (it is ${view.run.status}).`);
  const pending = view.rows.filter((r) => r.policyId !== view.base?.id && r.humanRun === null);
  return { view, pending, tasks: pending.reduce((s, r) => s + r.prompts, 0) };
}

/** Above a sample run's default (1): a requested human comparison goes before new samples and the backlog. */
const HUMAN_COMPARISON_PRIORITY = 10;

/** The `sample` run config that sets `policyId`'s answers against the base's (pair layout: newest first) on the evaluation's prompts. */
function sampleRunConfig(row: typeof evaluations.$inferSelect, evaluation: { maxNewTokens: number; temperature: number; seed: number }) {
  return {
    policyIds: [row.policyId, row.basePolicyId], prompts: row.promptIds, maxPrompts: row.promptIds.length, layout: "pair", samplesPerPolicy: 1,
    priority: HUMAN_COMPARISON_PRIORITY, maxNewTokens: evaluation.maxNewTokens, temperature: evaluation.temperature, seed: evaluation.seed,
  };
}

/**
 * Queues one `sample` run per policy (layout pair, high priority): annotators then judge each
 * policy's answer against the base's on the same prompts through the normal queue, blind (tasks
 * carry completions, never policy names; display order is randomised per assignment).
 */
export function queueHumanEvaluation(db: Db, input: { runId: number; createdBy: number | null }) {
  const { view, pending, tasks } = humanComparisonPlan(db, input.runId);
  if (pending.length === 0) throw new ServiceError("CONFLICT", "Every policy of this evaluation already has a blind human comparison (or is the base itself).");
  const projectId = requireRun(db, input.runId).projectId!;
  const runs = inTransaction(db, () => pending.map((r) => {
    const row = db.select().from(evaluations).where(eq(evaluations.id, r.id)).get()!;
    const run = queueRun(db, { kind: "sample", projectId, config: sampleRunConfig(row, view.config), createdBy: input.createdBy });
    db.update(evaluations).set({ humanRunId: run.id }).where(eq(evaluations.id, row.id)).run();
    return run;
  }));
  return { runIds: runs.map((r) => r.id), tasks };
}
