/**
 * Annotator disagreement of the open tasks, with the per-task agreement export filters on
 * (db/derive-pairs.ts: the winner, tie or both-bad of a pair, the chosen answer of a correction,
 * the whole ranking): 1 − the share of the task's judgements that agree with its most common
 * answer. A task judged fewer than twice scores 0 (nothing to disagree about yet), so tasks whose
 * overlap split the annotators come back first, for the judgement that settles them.
 */
import { and, asc, eq, gte, inArray, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { agreementLabel, taskAgreement } from "../db/derive-pairs";
import { judgements, tasks } from "../db/schema";

type TaskRow = { id: number; kind: (typeof tasks.$inferSelect)["kind"] };

function scoresOf(db: Db, taskRows: TaskRow[]): Map<number, number> {
  const out = new Map<number, number>();
  if (taskRows.length === 0) return out;
  const kindOf = new Map(taskRows.map((t) => [t.id, t.kind]));
  const rows = db.select().from(judgements)
    .where(and(inArray(judgements.taskId, [...kindOf.keys()]), isNull(judgements.undoneAt)))
    .orderBy(asc(judgements.taskId), asc(judgements.id)).all();
  const labels = new Map<number, Array<string | null>>();
  for (const j of rows) {
    const label = agreementLabel({ ...j, taskKind: kindOf.get(j.taskId)! });
    (labels.get(j.taskId) ?? labels.set(j.taskId, []).get(j.taskId)!).push(label);
  }
  for (const [taskId, list] of labels) {
    const agreement = taskAgreement(list);
    if (agreement !== null) out.set(taskId, 1 - agreement);
  }
  return out;
}

const TASK_BATCH = 500;

/** Disagreement of every open non-gold task of the project judged at least twice, by task id. */
export function disagreementScores(db: Db, projectId: number): Map<number, number> {
  const out = new Map<number, number>();
  const open = db.select({ id: tasks.id, kind: tasks.kind }).from(tasks)
    .where(and(eq(tasks.projectId, projectId), eq(tasks.status, "open"), eq(tasks.isGold, false), gte(tasks.judgementCount, 2))).all();
  for (let at = 0; at < open.length; at += TASK_BATCH) {
    for (const [id, score] of scoresOf(db, open.slice(at, at + TASK_BATCH))) out.set(id, score);
  }
  return out;
}

/** Disagreement of one task (0 below two judgements). */
export function taskDisagreement(db: Db, taskId: number): number {
  const task = db.select({ id: tasks.id, kind: tasks.kind }).from(tasks).where(eq(tasks.id, taskId)).get();
  return task ? scoresOf(db, [task]).get(taskId) ?? 0 : 0;
}
