import { and, asc, count, eq, gt, ne } from "drizzle-orm";
import type { Db } from "../../db/client";
import { assignments, tasks } from "../../db/schema";

/**
 * Leases: an `active` assignment holds a slot of its task until `expiresAt`. An expired lease
 * stays `active` in the table until its holder comes back (it is renewed when the slot is still
 * free) or the task moves on; meanwhile it no longer counts against the overlap, so the task is
 * back in the queue for others.
 */

export type Assignment = typeof assignments.$inferSelect;
export type Task = typeof tasks.$inferSelect;

/** Live (unexpired) leases of other annotators on a task. */
export function othersLiveLeases(db: Db, taskId: number, annotatorId: number, now: Date): number {
  return db
    .select({ n: count() })
    .from(assignments)
    .where(and(eq(assignments.taskId, taskId), eq(assignments.status, "active"), gt(assignments.expiresAt, now), ne(assignments.annotatorId, annotatorId)))
    .get()!.n;
}

/**
 * Whether one more judgement by `annotatorId` fits: the task is open and its submitted
 * judgements plus the others' live leases stay below the target. Gold tasks have no target.
 */
export function hasRoomFor(db: Db, task: Task, annotatorId: number, now: Date): boolean {
  if (task.status !== "open") return false;
  if (task.isGold) return true;
  return task.judgementCount + othersLiveLeases(db, task.id, annotatorId, now) < task.requiredJudgements;
}

/** This annotator's `active` assignments in a project, oldest lease first. */
export function activeAssignments(db: Db, annotatorId: number, projectId: number): Assignment[] {
  return db
    .select()
    .from(assignments)
    .where(and(eq(assignments.annotatorId, annotatorId), eq(assignments.projectId, projectId), eq(assignments.status, "active")))
    .orderBy(asc(assignments.leasedAt), asc(assignments.id))
    .all();
}

/**
 * Expired leases of this annotator: renewed (same task, same display order) while their slot is
 * still free, so someone who stepped away gets the same task back; otherwise marked expired.
 * A lease on a task withdrawn meanwhile (flagged, retired) is released. Returns the live leases.
 */
export function refreshLeases(db: Db, held: Assignment[], leaseSeconds: number, now: Date): Assignment[] {
  const live: Assignment[] = [];
  for (const lease of held) {
    const task = db.select().from(tasks).where(eq(tasks.id, lease.taskId)).get()!;
    const alive = lease.expiresAt > now && task.status === "open";
    if (alive || hasRoomFor(db, task, lease.annotatorId, now)) {
      const expiresAt = alive ? lease.expiresAt : new Date(now.getTime() + leaseSeconds * 1000);
      if (!alive) db.update(assignments).set({ expiresAt }).where(eq(assignments.id, lease.id)).run();
      live.push({ ...lease, expiresAt });
    } else {
      const status = task.status === "flagged" || task.status === "retired" ? "released" : "expired";
      db.update(assignments).set({ status }).where(eq(assignments.id, lease.id)).run();
    }
  }
  return live;
}
