import { and, eq, sql } from "drizzle-orm";
import { inTransaction, type Db } from "../../db/client";
import { assignments, completions, judgements, tasks } from "../../db/schema";
import { hasRoomFor, type Assignment, type Task } from "./assignment-leases";
import { requireProject } from "./assignment";
import { ServiceError } from "./errors";
import { afterJudgement } from "./judgement-followups";
import { answerFields, type AnswerFields, type JudgementAnswer } from "./judgements-input";
import { isGoldCorrect } from "./tasks-gold";

export type { JudgementAnswer };

/**
 * Submission. Decisions (documented for the UI and the researchers):
 * - Retries: the same (annotator, idempotencyKey) returns the first judgement, never a second
 *   (CONFLICT if that judgement was undone meanwhile: an answer after an undo needs a new key).
 * - The annotator must have leased the task. A lease that expired is still accepted while its
 *   slot is free (nobody else took it and the target is not reached), since the work was done
 *   honestly; once someone else holds the slot, the late answer is refused (CONFLICT).
 * - Time: `secondsOnTask` is the client's active time clamped to [0, server time] (a client
 *   cannot claim more time than the lease lasted), or the server time when the client sends
 *   none; `serverSecondsOnTask` keeps the wall-clock time from lease to submission as well.
 */
export interface SubmitInput {
  taskId: number;
  idempotencyKey: string;
  answer: JudgementAnswer;
  rationale?: string | null;
  /** Seconds the annotator actively spent, as the client measured them. */
  clientSeconds?: number | null;
}

export interface SubmitResult {
  judgementId: number;
  taskId: number;
  /** The task reached its overlap target with this judgement. */
  taskComplete: boolean;
  /** Until when `labeling.undo` can take it back. */
  undoableUntil: Date;
  /** True when this was a retry answered with the earlier judgement. */
  replayed: boolean;
  /** The loop round this judgement started (the project's auto-loop reached its count), else null. */
  roundStarted: number | null;
}

export function submitJudgement(db: Db, annotatorId: number, input: SubmitInput, now = new Date()): SubmitResult {
  const result = commitJudgement(db, annotatorId, input, now);
  return result.replayed ? result : { ...result, roundStarted: afterJudgement(db, result.taskId) };
}

function commitJudgement(db: Db, annotatorId: number, input: SubmitInput, now: Date): SubmitResult {
  return inTransaction(db, () => {
    const earlier = db
      .select()
      .from(judgements)
      .where(and(eq(judgements.annotatorId, annotatorId), eq(judgements.idempotencyKey, input.idempotencyKey)))
      .get();
    if (earlier) return replay(db, earlier, input.taskId);
    const { task, lease } = leaseForSubmit(db, annotatorId, input.taskId, now);
    const settings = requireProject(db, task.projectId).settings;
    const fields = answerFields(input.answer, task, settings, (id) => completionText(db, id));
    const judgementId = insertJudgement(db, annotatorId, input, task, lease, fields, now);
    db.update(assignments).set({ status: "submitted" }).where(eq(assignments.id, lease.id)).run();
    const taskComplete = countJudgement(db, task);
    return { judgementId, taskId: task.id, taskComplete, undoableUntil: new Date(now.getTime() + settings.undoWindowSeconds * 1000), replayed: false, roundStarted: null };
  });
}

function replay(db: Db, earlier: typeof judgements.$inferSelect, taskId: number): SubmitResult {
  if (earlier.taskId !== taskId)
    throw new ServiceError("CONFLICT", `This submission key was already used for task ${earlier.taskId}; send a new key for a new answer.`);
  if (earlier.undoneAt !== null) throw new ServiceError("CONFLICT", "The answer sent with this key was undone; send the new answer with a new key.");
  const task = db.select().from(tasks).where(eq(tasks.id, taskId)).get()!;
  const settings = requireProject(db, task.projectId).settings;
  return {
    judgementId: earlier.id,
    taskId,
    taskComplete: task.status === "complete",
    undoableUntil: new Date(earlier.createdAt.getTime() + settings.undoWindowSeconds * 1000),
    replayed: true,
    roundStarted: null,
  };
}

/** The annotator's lease on the task, refusing every way a submission could be wrong. */
function leaseForSubmit(db: Db, annotatorId: number, taskId: number, now: Date): { task: Task; lease: Assignment } {
  const task = db.select().from(tasks).where(eq(tasks.id, taskId)).get();
  if (!task) throw new ServiceError("NOT_FOUND", `No task with id ${taskId}.`);
  const lease = db.select().from(assignments).where(and(eq(assignments.taskId, taskId), eq(assignments.annotatorId, annotatorId))).get();
  if (!lease) throw new ServiceError("PRECONDITION_FAILED", "You have not been given this task; fetch your next task first.");
  if (lease.status === "submitted") throw new ServiceError("CONFLICT", "You have already judged this task.");
  if (lease.status !== "active") throw new ServiceError("PRECONDITION_FAILED", `You no longer hold this task (${lease.status}).`);
  if (task.status === "flagged" || task.status === "retired")
    throw new ServiceError("CONFLICT", "This task was withdrawn from the queue (flagged or retired) while you held it.");
  if (task.status === "complete") throw new ServiceError("CONFLICT", "This task already has all the judgements it needs; fetch your next task.");
  if (!hasRoomFor(db, task, annotatorId, now))
    throw new ServiceError("CONFLICT", "Your lease expired and this task has been given to others; fetch your next task.");
  return { task, lease };
}

const completionText = (db: Db, id: number) =>
  db.select({ text: completions.text }).from(completions).where(eq(completions.id, id)).get()?.text ?? "";

function insertJudgement(db: Db, annotatorId: number, input: SubmitInput, task: Task, lease: Assignment, f: AnswerFields, now: Date): number {
  const serverSeconds = Math.max(0, (now.getTime() - lease.leasedAt.getTime()) / 1000);
  const client = input.clientSeconds;
  const secondsOnTask = client === null || client === undefined || !Number.isFinite(client) ? serverSeconds : Math.min(Math.max(client, 0), serverSeconds);
  const correctedCompletionId = f.correctedText === null ? null : insertCorrection(db, task.promptId, f.correctedText, now);
  const goldCorrect = task.isGold && task.goldAnswer ? isGoldCorrect(task.kind, task.goldAnswer, { ...f, displayOrder: lease.displayOrder }) : null;
  const [row] = db
    .insert(judgements)
    .values({
      taskId: task.id,
      annotatorId,
      source: "human",
      outcome: f.outcome,
      strength: f.strength,
      ranking: f.ranking,
      chosenCompletionId: f.chosenCompletionId,
      correctedCompletionId,
      rationale: input.rationale?.trim() || null,
      secondsOnTask,
      serverSecondsOnTask: serverSeconds,
      goldCorrect,
      displayOrder: lease.displayOrder,
      idempotencyKey: input.idempotencyKey,
      createdAt: now,
    })
    .returning({ id: judgements.id })
    .all();
  return row!.id;
}

/** The edited text becomes a completion of the prompt, made by a person (no policy). */
function insertCorrection(db: Db, promptId: number, text: string, now: Date): number {
  const [row] = db.insert(completions).values({ promptId, policyId: null, origin: "correction", text, createdAt: now }).returning({ id: completions.id }).all();
  return row!.id;
}

/** Counts the judgement; the task completes exactly at its target (gold tasks stay open). */
function countJudgement(db: Db, task: Task): boolean {
  const complete = !task.isGold && task.judgementCount + 1 >= task.requiredJudgements;
  db.update(tasks)
    .set({ judgementCount: sql`${tasks.judgementCount} + 1`, status: complete ? "complete" : task.status })
    .where(eq(tasks.id, task.id))
    .run();
  return complete;
}
