import { asc, eq } from "drizzle-orm";
import { ensureBuiltinPolicy } from "../../core/policy-versions";
import type { Db } from "../../db/client";
import type { RunKind } from "../../db/enums";
import { completions, judgements, prompts, runArtifacts, tasks, trainingRuns } from "../../db/schema";
import { queueRun } from "../../server/services/runs";
import { labelingDb } from "../../server/services/tasks-fixtures";
import { runOnce } from "../worker/worker-loop";

const SUBJECTS = ["The film", "This movie", "The acting", "The plot", "The ending", "The soundtrack", "The director", "The cast"];
const VERBS = ["is", "was", "felt like", "seemed"];

/** Movie-review openings, all different: the built-in policy's own domain. */
export const openings = (n: number) => Array.from({ length: n }, (_, i) => `${SUBJECTS[i % SUBJECTS.length]} ${VERBS[Math.floor(i / SUBJECTS.length) % VERBS.length]}`);

/** A labeling project (two annotators per task, no gold) with these prompts, and the built-in policy. */
export function coldStartProject(texts: string[]) {
  const fx = labelingDb({ judgementsPerTask: 2 });
  const promptIds = texts.map((text) => fx.db.insert(prompts).values({ projectId: fx.projectId, text }).returning().get().id);
  return { ...fx, promptIds, builtin: ensureBuiltinPolicy(fx.db) };
}

/** Queues a run as the CLI does and executes it through the registry, as the worker does; returns the finished row and its artifact. */
export async function runKind(db: Db, projectId: number, kind: RunKind, config: Record<string, unknown>, runsRoot: string) {
  const queued = queueRun(db, { kind, projectId, config, createdBy: null, origin: "cli" });
  await runOnce(db, { runsRoot });
  const run = db.select().from(trainingRuns).where(eq(trainingRuns.id, queued.id)).get()!;
  const artifact = db.select().from(runArtifacts).where(eq(runArtifacts.runId, run.id)).get();
  return { run, artifact, metadata: (artifact?.metadata ?? {}) as Record<string, number> };
}

/** Every judgement with its task and the completions it shows, better first. */
export function syntheticRows(db: Db) {
  const byId = new Map(db.select().from(completions).all().map((c) => [c.id, c]));
  return db.select({ j: judgements, t: tasks }).from(judgements).innerJoin(tasks, eq(tasks.id, judgements.taskId))
    .where(eq(judgements.source, "synthetic")).orderBy(asc(judgements.id)).all()
    .map(({ j, t }) => ({ judgement: j, task: t, better: byId.get(j.displayOrder[0]!)!, worse: byId.get(j.displayOrder[1]!)! }));
}
