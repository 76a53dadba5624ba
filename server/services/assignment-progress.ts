import { and, count, eq, gt, gte, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { assignments, judgements, tasks } from "../../db/schema";
import { countRemaining } from "./assignment-queue";

/** Counted up to this many: the annotator needs "plenty left", not an exact five-digit number. */
export const REMAINING_CAP = 100;

/** What an annotator sees of their own work in one project. */
export interface Progress {
  /** Judgements submitted (and not undone) since 00:00 UTC today. */
  doneToday: number;
  /** Judgements submitted (and not undone) in this project. */
  doneTotal: number;
  /** Tasks skipped in this project. */
  skipped: number;
  /** Leases held right now (unexpired) and how many the project allows at once. */
  heldLeases: number;
  maxActiveLeases: number;
  /** Tasks still available to this annotator, counted up to REMAINING_CAP. */
  tasksRemaining: number;
  /** True when tasksRemaining stopped at the cap (show "100+"). */
  tasksRemainingCapped: boolean;
}

const startOfUtcDay = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/** Assignment counts by status from the (annotator, project, status) index alone. */
function assignmentCounts(db: Db, annotatorId: number, projectId: number, now: Date) {
  const mine = and(eq(assignments.annotatorId, annotatorId), eq(assignments.projectId, projectId));
  const n = (where: ReturnType<typeof and>) => db.select({ n: count() }).from(assignments).where(where).get()!.n;
  return {
    submitted: n(and(mine, eq(assignments.status, "submitted"))),
    skipped: n(and(mine, eq(assignments.status, "skipped"))),
    held: n(and(mine, eq(assignments.status, "active"), gt(assignments.expiresAt, now))),
  };
}

function doneSince(db: Db, annotatorId: number, projectId: number, since: Date): number {
  return db
    .select({ n: count() })
    .from(judgements)
    .innerJoin(tasks, eq(tasks.id, judgements.taskId))
    .where(and(eq(judgements.annotatorId, annotatorId), gte(judgements.createdAt, since), isNull(judgements.undoneAt), eq(tasks.projectId, projectId)))
    .get()!.n;
}

export function annotatorProgress(db: Db, annotatorId: number, projectId: number, maxActiveLeases: number, now = new Date()): Progress {
  const counts = assignmentCounts(db, annotatorId, projectId, now);
  const remaining = countRemaining(db, annotatorId, projectId, now, REMAINING_CAP);
  return {
    doneToday: doneSince(db, annotatorId, projectId, startOfUtcDay(now)),
    doneTotal: counts.submitted,
    skipped: counts.skipped,
    heldLeases: counts.held,
    maxActiveLeases,
    tasksRemaining: remaining,
    tasksRemainingCapped: remaining >= REMAINING_CAP,
  };
}

