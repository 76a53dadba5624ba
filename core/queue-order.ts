/**
 * Active learning: a project's queue served in the order it chose (oldest first, reward-model
 * uncertainty, annotator disagreement). The order is materialised into `tasks.queue_score` by a
 * re-scoring pass, never computed per pick, so the assignment engine keeps its single indexed
 * walk (tasks_queue_idx: priority desc, queue_score desc, id). The priority band stays primary: a
 * new policy's samples (priority 1) still come before the backlog, and the score orders tasks
 * within a band; 0 everywhere is today's oldest-first order.
 *
 * When a pass runs: the web server when the setting changes (and per task when a judgement
 * arrives, for disagreement); the worker after a reward run (a new model) or a sample run (new
 * tasks) and for orderings the server had to leave to it (neural reward models run on
 * TensorFlow.js, which never loads in the web server). Tasks created between passes score 0 and
 * wait behind the scored ones of their band until the next pass.
 */
import { and, desc, eq, ne } from "drizzle-orm";
import { inTransaction, type Db } from "../db/client";
import type { QueueOrder } from "../db/enums";
import { projects, queueOrderings, rewardModels, tasks } from "../db/schema";
import { projectSettingsSchema, type ProjectSettings } from "../db/types";
import { disagreementScores } from "./queue-disagreement";
import { uncertaintyScores, type RewardScorerFn } from "./queue-uncertainty";

export type QueueOrderingRow = typeof queueOrderings.$inferSelect;
export type RewardModelRow = typeof rewardModels.$inferSelect;

/**
 * How this process scores with a reward model: a loaded scorer, or null when it cannot (the web
 * server with a neural model): the ordering is then left pending for the worker.
 */
export type ScorerLoader = (model: RewardModelRow) => Promise<{ score: RewardScorerFn; dispose(): void } | null>;

export function projectSettings(db: Db, projectId: number): ProjectSettings {
  const row = db.select({ settings: projects.settings }).from(projects).where(eq(projects.id, projectId)).get();
  if (!row) throw new Error(`no project with id ${projectId}`);
  return projectSettingsSchema.parse(row.settings ?? {});
}

/** The reward model the uncertainty order uses: the one the settings name, else the project's newest. */
export function queueRewardModel(db: Db, projectId: number, settings: ProjectSettings): RewardModelRow | undefined {
  const chosen = settings.queueRewardModelId;
  if (chosen !== null) return db.select().from(rewardModels).where(and(eq(rewardModels.id, chosen), eq(rewardModels.projectId, projectId))).get();
  return db.select().from(rewardModels).where(eq(rewardModels.projectId, projectId)).orderBy(desc(rewardModels.id)).get();
}

/**
 * Replaces the project's queue scores: `scores` for the tasks it names, 0 for every other task.
 * Only scores that change are written (each write moves the task in tasks_queue_idx), so a pass
 * that finds the order unchanged costs reads only.
 */
export function writeQueueScores(db: Db, projectId: number, scores: ReadonlyMap<number, number>): void {
  inTransaction(db, (tx) => {
    const scored = tx.select({ id: tasks.id }).from(tasks).where(and(eq(tasks.projectId, projectId), ne(tasks.queueScore, 0))).all();
    const reset = tx.$client.prepare("update tasks set queue_score = 0 where id = ?");
    for (const { id } of scored) if (!scores.has(id)) reset.run(id);
    const set = tx.$client.prepare("update tasks set queue_score = ? where id = ? and project_id = ? and queue_score <> ?");
    for (const [taskId, score] of scores) set.run(score, taskId, projectId, score);
  });
}

/** Sets one task's score (a judgement changed its disagreement). */
export function writeTaskScore(db: Db, taskId: number, score: number): void {
  db.update(tasks).set({ queueScore: score }).where(eq(tasks.id, taskId)).run();
}

interface OrderingState {
  queueOrder: QueueOrder;
  rewardModelId?: number | null;
  pending?: boolean;
  tasksScored?: number;
  note?: string | null;
}

function recordOrdering(db: Db, projectId: number, s: OrderingState): QueueOrderingRow {
  const values = { queueOrder: s.queueOrder, rewardModelId: s.rewardModelId ?? null, pending: s.pending ?? false, tasksScored: s.tasksScored ?? 0, note: s.note ?? null, scoredAt: s.pending ? null : new Date() };
  return db.insert(queueOrderings).values({ projectId, ...values }).onConflictDoUpdate({ target: queueOrderings.projectId, set: values }).returning().get();
}

export function queueOrdering(db: Db, projectId: number): QueueOrderingRow | undefined {
  return db.select().from(queueOrderings).where(eq(queueOrderings.projectId, projectId)).get();
}

/** Leaves the project's next pass to the worker (at its next pause), saying why in the ordering's note. */
export function deferQueueOrder(db: Db, projectId: number, note: string): QueueOrderingRow {
  const settings = projectSettings(db, projectId);
  const model = settings.queueOrder === "uncertainty" ? queueRewardModel(db, projectId, settings) : undefined;
  return recordOrdering(db, projectId, { queueOrder: settings.queueOrder, rewardModelId: model?.id ?? null, pending: true, note });
}

/** Open non-gold tasks of the project (a range of tasks_queue_idx): how big a pass would be. */
export function openTaskCount(db: Db, projectId: number): number {
  return db.$client.prepare("select count(*) as n from tasks where project_id = ? and status = 'open' and is_gold = 0").pluck().get(projectId) as number;
}

/** Orderings the web server left to the worker (neural reward models, big queues). */
export function pendingOrderings(db: Db): number[] {
  return db.select({ projectId: queueOrderings.projectId }).from(queueOrderings).where(eq(queueOrderings.pending, true)).all().map((r) => r.projectId);
}

async function orderByUncertainty(db: Db, projectId: number, settings: ProjectSettings, loadScorer: ScorerLoader): Promise<QueueOrderingRow> {
  const model = queueRewardModel(db, projectId, settings);
  if (!model) {
    writeQueueScores(db, projectId, new Map());
    const note = settings.queueRewardModelId === null ? "no reward model yet: oldest first until one is trained" : `reward model ${settings.queueRewardModelId} is not one of this project's: oldest first`;
    return recordOrdering(db, projectId, { queueOrder: "uncertainty", note });
  }
  let scorer: Awaited<ReturnType<ScorerLoader>>;
  try {
    scorer = await loadScorer(model);
  } catch (error) {
    writeQueueScores(db, projectId, new Map());
    return recordOrdering(db, projectId, { queueOrder: "uncertainty", rewardModelId: model.id, note: `reward model ${model.name} cannot be loaded (${(error as Error).message}): oldest first` });
  }
  if (!scorer) return recordOrdering(db, projectId, { queueOrder: "uncertainty", rewardModelId: model.id, pending: true, note: `the worker scores the queue with ${model.kind} reward model ${model.name} at its next pause` });
  try {
    const scores = uncertaintyScores(db, projectId, scorer.score);
    writeQueueScores(db, projectId, scores);
    return recordOrdering(db, projectId, { queueOrder: "uncertainty", rewardModelId: model.id, tasksScored: scores.size });
  } finally {
    scorer.dispose();
  }
}

/** One re-scoring pass of the project's whole queue in the order its settings choose. */
export async function reorderQueue(db: Db, projectId: number, loadScorer: ScorerLoader): Promise<QueueOrderingRow> {
  const settings = projectSettings(db, projectId);
  if (settings.queueOrder === "uncertainty") return orderByUncertainty(db, projectId, settings, loadScorer);
  const scores = settings.queueOrder === "disagreement" ? disagreementScores(db, projectId) : new Map<number, number>();
  writeQueueScores(db, projectId, scores);
  return recordOrdering(db, projectId, { queueOrder: settings.queueOrder, tasksScored: scores.size });
}
