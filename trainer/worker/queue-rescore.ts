/**
 * The worker's re-scoring of annotation queues (core/queue-order.ts): after a reward run (a new
 * model to be uncertain with) or a sample run (new tasks to score) in a project ordered by
 * uncertainty, and for every ordering the web server left pending (a neural reward model, which
 * only the worker may load, or a queue too big to score on the request path). Any reward model
 * kind scores here.
 */
import { pendingOrderings, projectSettings, reorderQueue, type ScorerLoader } from "../../core/queue-order";
import type { Db } from "../../db/client";
import { loadRewardScorer } from "../reward/scorer";
import type { RunRow } from "./queue";

const workerScorer: ScorerLoader = async (model) => loadRewardScorer(null, model.path);

/** Projects whose queue this finished run makes stale. */
function staleAfter(db: Db, run: RunRow | null): number[] {
  if (!run || run.status !== "succeeded" || run.projectId === null || (run.kind !== "reward" && run.kind !== "sample")) return [];
  return projectSettings(db, run.projectId).queueOrder === "uncertainty" ? [run.projectId] : [];
}

/** Re-scores the queues that need it; returns the project ids re-scored. */
export async function rescoreQueues(db: Db, finished: RunRow | null): Promise<number[]> {
  const projects = [...new Set([...pendingOrderings(db), ...staleAfter(db, finished)])];
  for (const projectId of projects) await reorderQueue(db, projectId, workerScorer);
  return projects;
}
