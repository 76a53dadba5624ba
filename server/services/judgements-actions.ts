import { and, desc, eq, sql } from "drizzle-orm";
import { inTransaction, type Db } from "../../db/client";
import type { FlagReason, PairOutcome } from "../../db/enums";
import { assignments, completions, flags, judgements, tasks } from "../../db/schema";
import { requireProject } from "./assignment";
import { leasedTaskView, type LeasedTask } from "./assignment-view";
import { ServiceError } from "./errors";
import { rescoreJudgedTask } from "./queue-order";

const completionText = (db: Db, id: number) =>
  db.select({ text: completions.text }).from(completions).where(eq(completions.id, id)).get()?.text ?? null;

/** Skip, flag and undo: the three ways an annotator changes their mind about a task. */

function heldAssignment(db: Db, annotatorId: number, taskId: number) {
  return db.select().from(assignments).where(and(eq(assignments.taskId, taskId), eq(assignments.annotatorId, annotatorId))).get();
}

/** Gives a held task back with a reason; it returns to the queue for others, never to this annotator. */
export function skipTask(db: Db, annotatorId: number, input: { taskId: number; reason: string }): { ok: true } {
  return inTransaction(db, () => {
    const lease = heldAssignment(db, annotatorId, input.taskId);
    if (!lease || lease.status !== "active") throw new ServiceError("PRECONDITION_FAILED", "You do not hold this task, so there is nothing to skip.");
    db.update(assignments).set({ status: "skipped", skipReason: input.reason.trim() }).where(eq(assignments.id, lease.id)).run();
    return { ok: true as const };
  });
}

/**
 * Flags a task the annotator was shown. One flag per person per task; at the project's
 * `flagsToRetire` the task leaves the queue (status flagged). The flagger's lease, if any, is
 * released so they move on.
 */
export function flagTask(db: Db, annotatorId: number, input: { taskId: number; reason: FlagReason; note?: string | null }) {
  return inTransaction(db, () => {
    const lease = heldAssignment(db, annotatorId, input.taskId);
    if (!lease) throw new ServiceError("PRECONDITION_FAILED", "You can only flag a task you have been shown.");
    const already = db.select({ id: flags.id }).from(flags).where(and(eq(flags.taskId, input.taskId), eq(flags.annotatorId, annotatorId))).get();
    if (already) throw new ServiceError("CONFLICT", "You have already flagged this task.");
    db.insert(flags).values({ taskId: input.taskId, annotatorId, reason: input.reason, note: input.note?.trim() || null }).run();
    const task = db.select().from(tasks).where(eq(tasks.id, input.taskId)).get()!;
    const flagCount = task.flagCount + 1;
    const retire = flagCount >= requireProject(db, task.projectId).settings.flagsToRetire && task.status !== "retired";
    db.update(tasks).set({ flagCount, status: retire ? "flagged" : task.status }).where(eq(tasks.id, task.id)).run();
    if (lease.status === "active") db.update(assignments).set({ status: "released" }).where(eq(assignments.id, lease.id)).run();
    return { flagCount, taskWithdrawn: retire || task.status === "flagged" };
  });
}

export interface UndoResult {
  /** The same task, leased again with the same display order. */
  task: LeasedTask;
  /** What was undone, so the UI can show it pre-filled. */
  previous: {
    outcome: PairOutcome | null;
    strength: number | null;
    ranking: number[][] | null;
    chosenCompletionId: number | null;
    /** The edited text of a correction; null when the text was left unchanged. */
    correctedText: string | null;
    rationale: string | null;
  };
}

/** The annotator's most recent judgement in the project, if it is not undone yet. */
function lastJudgement(db: Db, annotatorId: number, projectId: number) {
  const row = db
    .select({ j: judgements })
    .from(judgements)
    .innerJoin(tasks, eq(tasks.id, judgements.taskId))
    .where(and(eq(judgements.annotatorId, annotatorId), eq(tasks.projectId, projectId)))
    .orderBy(desc(judgements.createdAt), desc(judgements.id))
    .limit(1)
    .get();
  return row && row.j.undoneAt === null ? row.j : undefined;
}

/**
 * Takes back the annotator's last judgement within `undoWindowSeconds`: marks it undone (it
 * derives no pairs), gives the slot back to the task (reopening it if it had completed) and
 * leases the same task to the same annotator again.
 */
export function undoLastJudgement(db: Db, annotatorId: number, projectId: number, now = new Date()): UndoResult {
  return inTransaction(db, () => {
    const settings = requireProject(db, projectId).settings;
    const last = lastJudgement(db, annotatorId, projectId);
    if (!last) throw new ServiceError("PRECONDITION_FAILED", "There is no judgement to undo.");
    if (now.getTime() - last.createdAt.getTime() > settings.undoWindowSeconds * 1000)
      throw new ServiceError("PRECONDITION_FAILED", `Undo is possible for ${settings.undoWindowSeconds} seconds after submitting; that time has passed.`);
    const lease = heldAssignment(db, annotatorId, last.taskId);
    if (!lease) throw new ServiceError("PRECONDITION_FAILED", "Your last judgement here was a live battle's vote (no task was leased for it), which cannot be undone.");
    db.update(judgements).set({ undoneAt: now }).where(eq(judgements.id, last.id)).run();
    db.update(tasks)
      .set({ judgementCount: sql`${tasks.judgementCount} - 1`, status: sql`case when ${tasks.status} = 'complete' then 'open' else ${tasks.status} end` })
      .where(eq(tasks.id, last.taskId))
      .run();
    rescoreJudgedTask(db, settings, last.taskId); // its disagreement, when the queue is ordered by it
    const expiresAt = new Date(now.getTime() + settings.leaseSeconds * 1000);
    db.update(assignments).set({ status: "active", expiresAt }).where(eq(assignments.id, lease.id)).run();
    const { outcome, strength, ranking, chosenCompletionId, rationale } = last;
    const correctedText = last.correctedCompletionId === null ? null : completionText(db, last.correctedCompletionId);
    return {
      task: leasedTaskView(db, { ...lease, expiresAt }),
      previous: { outcome, strength, ranking, chosenCompletionId, correctedText, rationale },
    };
  });
}
