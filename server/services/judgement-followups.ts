/**
 * What follows a committed judgement, outside its transaction: the task's place in a queue
 * ordered by disagreement, and the auto-loop's check for the next round. The judgement is stored
 * whatever happens here, so a failure is logged, never thrown at the annotator.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { tasks } from "../../db/schema";
import { getProject } from "./projects";
import { rescoreJudgedTask } from "./queue-order";
import { maybeStartAutoRound } from "./rounds";

/** Returns the id of the round this judgement started, if it started one. */
export function afterJudgement(db: Db, taskId: number): number | null {
  try {
    const task = db.select({ projectId: tasks.projectId }).from(tasks).where(eq(tasks.id, taskId)).get();
    const project = task && getProject(db, task.projectId);
    if (!project) return null;
    rescoreJudgedTask(db, project.settings, taskId);
    return maybeStartAutoRound(db, project.id, project.settings.autoLoop)?.id ?? null;
  } catch (error) {
    console.error(`after the judgement on task ${taskId}:`, error);
    return null;
  }
}
