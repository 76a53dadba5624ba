/**
 * Active-learning order from the web server (core/queue-order.ts does the work): a re-scoring pass
 * when a project's order setting changes, and one task's disagreement when a judgement arrives.
 * Linear reward models score in-process (plain JS, as reward-models.ts scores them); a neural one
 * needs TensorFlow.js, which never loads here, so its ordering is left pending for the worker, as
 * is any pass over a big queue: scoring tens of thousands of tasks takes seconds, and a web server
 * busy with it answers no annotator meanwhile.
 */
import { deferQueueOrder, openTaskCount, reorderQueue, writeTaskScore, type QueueOrderingRow, type ScorerLoader } from "../../core/queue-order";
import { taskDisagreement } from "../../core/queue-disagreement";
import type { Db } from "../../db/client";
import type { ProjectSettings } from "../../db/types";
import { loadLinearRewardModel } from "../../trainer/reward/scorer-linear";

const linearOnly: ScorerLoader = async (model) => {
  if (model.kind !== "linear") return null;
  const linear = loadLinearRewardModel(model.path);
  return { score: (items) => items.map((i) => linear.score(i.prompt, i.completion)), dispose: () => {} };
};

/** Open tasks a pass scores here at most (well under a second on two busy cores); more go to the worker. */
export const IN_PROCESS_TASKS = 5_000;

/** Re-scores the project's queue in the order its settings now choose (or leaves it to the worker). */
export function reorderQueueNow(db: Db, projectId: number, inProcessTasks = IN_PROCESS_TASKS): Promise<QueueOrderingRow> {
  const open = openTaskCount(db, projectId);
  if (open > inProcessTasks) return Promise.resolve(deferQueueOrder(db, projectId, `the worker orders the ${open.toLocaleString("en")} open tasks at its next pause`));
  return reorderQueue(db, projectId, linearOnly);
}

/** Whether a settings change asks for a new ordering pass. */
export const orderChanged = (before: ProjectSettings, after: ProjectSettings) =>
  before.queueOrder !== after.queueOrder || before.queueRewardModelId !== after.queueRewardModelId;

/** A judgement arrived on `taskId`: its disagreement changed (projects ordered by disagreement only). */
export function rescoreJudgedTask(db: Db, settings: ProjectSettings, taskId: number): void {
  if (settings.queueOrder === "disagreement") writeTaskScore(db, taskId, taskDisagreement(db, taskId));
}
