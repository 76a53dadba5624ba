import { and, count, eq, gt, gte, isNull } from "drizzle-orm";
import { annotatorCounts } from "../../db/annotator-counts";
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

const DAY_MS = 86_400_000;
const startOfUtcDay = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/**
 * This annotator's assignments in a project by status: the counts the server's connection keeps
 * (db/annotator-counts.ts), else one walk of their (annotator, project) index range.
 */
export interface LeaseCounts {
  submitted: number;
  skipped: number;
  /** Every assignment, any status: how many tasks they were ever served. */
  served: number;
}

export function leaseCounts(db: Db, annotatorId: number, projectId: number): LeaseCounts {
  const tracked = annotatorCounts(db, annotatorId, projectId)?.byStatus;
  const rows = tracked
    ? [...tracked].map(([status, n]) => ({ status, n }))
    : db
        .select({ status: assignments.status, n: count() })
        .from(assignments)
        .where(and(eq(assignments.annotatorId, annotatorId), eq(assignments.projectId, projectId)))
        .groupBy(assignments.status)
        .all();
  const of = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
  return { submitted: of("submitted"), skipped: of("skipped"), served: rows.reduce((sum, r) => sum + r.n, 0) };
}

function liveLeases(db: Db, annotatorId: number, projectId: number, now: Date): number {
  const mine = and(eq(assignments.annotatorId, annotatorId), eq(assignments.projectId, projectId));
  return db.select({ n: count() }).from(assignments).where(and(mine, eq(assignments.status, "active"), gt(assignments.expiresAt, now))).get()!.n;
}

function doneSince(db: Db, annotatorId: number, projectId: number, since: Date): number {
  const byDay = annotatorCounts(db, annotatorId, projectId)?.byDay;
  if (byDay && since.getTime() % DAY_MS === 0) {
    let n = 0;
    for (const [day, count] of byDay) if (day * DAY_MS >= since.getTime()) n += count;
    return n;
  }
  return db
    .select({ n: count() })
    .from(judgements)
    .innerJoin(tasks, eq(tasks.id, judgements.taskId))
    .where(and(eq(judgements.annotatorId, annotatorId), gte(judgements.createdAt, since), isNull(judgements.undoneAt), eq(tasks.projectId, projectId)))
    .get()!.n;
}

/**
 * Progress of one annotator. The engine passes the counts it already has (`known`), so a pick
 * walks the annotator's history once, not twice.
 */
export function annotatorProgress(
  db: Db,
  annotatorId: number,
  projectId: number,
  maxActiveLeases: number,
  now = new Date(),
  known?: { counts: LeaseCounts; held: number },
): Progress {
  const counts = known?.counts ?? leaseCounts(db, annotatorId, projectId);
  const remaining = countRemaining(db, annotatorId, projectId, now, REMAINING_CAP);
  return {
    doneToday: doneSince(db, annotatorId, projectId, startOfUtcDay(now)),
    doneTotal: counts.submitted,
    skipped: counts.skipped,
    heldLeases: known?.held ?? liveLeases(db, annotatorId, projectId, now),
    maxActiveLeases,
    tasksRemaining: remaining,
    tasksRemainingCapped: remaining >= REMAINING_CAP,
  };
}
