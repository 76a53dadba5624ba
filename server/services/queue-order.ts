/**
 * Active-learning order from the web server (core/queue-order.ts does the work): a re-scoring pass
 * when a project's order setting changes, and one task's disagreement when a judgement arrives.
 * Linear reward models score in-process (plain JS, as reward-models.ts scores them); a neural one
 * needs TensorFlow.js, which never loads here, so its ordering is left pending for the worker.
 */
import { reorderQueue, writeTaskScore, type QueueOrderingRow, type ScorerLoader } from "../../core/queue-order";
import { taskDisagreement } from "../../core/queue-disagreement";
import type { Db } from "../../db/client";
import type { ProjectSettings } from "../../db/types";
import { loadLinearRewardModel } from "../../trainer/reward/scorer-linear";

const linearOnly: ScorerLoader = async (model) => {
  if (model.kind !== "linear") return null;
  const linear = loadLinearRewardModel(model.path);
  return { score: (items) => items.map((i) => linear.score(i.prompt, i.completion)), dispose: () => {} };
};

/** Re-scores the project's queue in the order its settings now choose. */
export function reorderQueueNow(db: Db, projectId: number): Promise<QueueOrderingRow> {
  return reorderQueue(db, projectId, linearOnly);
}

/** Whether a settings change asks for a new ordering pass. */
export const orderChanged = (before: ProjectSettings, after: ProjectSettings) =>
  before.queueOrder !== after.queueOrder || before.queueRewardModelId !== after.queueRewardModelId;

/** A judgement arrived on `taskId`: its disagreement changed (projects ordered by disagreement only). */
export function rescoreJudgedTask(db: Db, settings: ProjectSettings, taskId: number): void {
  if (settings.queueOrder === "disagreement") writeTaskScore(db, taskId, taskDisagreement(db, taskId));
}
