// The worker's side of the training_runs table: requeueing runs whose worker died, claiming the
// next queued run, recording progress, checkpoints, artifacts and the outcome, and reading
// cancellation requests. Plain functions of `db`, one statement or transaction each.
import { and, asc, eq, gt } from "drizzle-orm";
import { resumeStep } from "../../core/run-checkpoints";
import type { Db } from "../../db/client";
import { inTransaction } from "../../db/client";
import type { ArtifactKind, RunStatus } from "../../db/enums";
import { runArtifacts, runEvents, trainingRuns } from "../../db/schema";
import type { ProgressRow } from "../train/loop";

export type RunRow = typeof trainingRuns.$inferSelect;

/** A progress row of a run, as the training loop reports it. */
export type ProgressEvent = ProgressRow;

/** True when a process with this pid exists on this machine (signal 0 only checks). */
export function isAlive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Puts back in the queue every running run whose heartbeat is older than `staleMs` and whose
 * worker process no longer exists; it resumes from its last checkpoint (its step is reset to the
 * checkpoint's, so progress after the checkpoint is redone, not skipped).
 */
export function requeueStaleRuns(db: Db, staleMs: number): number {
  const cutoff = Date.now() - staleMs;
  const orphans = db.select().from(trainingRuns).where(eq(trainingRuns.status, "running")).all()
    .filter((r) => (r.heartbeatAt?.getTime() ?? 0) < cutoff && !isAlive(r.workerPid));
  for (const run of orphans) requeueFromCheckpoint(db, run, "The worker stopped unexpectedly");
  return orphans.length;
}

/** Puts a running run back in the queue at its last checkpoint (discardRedoneProgress runs when it restarts). */
export function requeueFromCheckpoint(db: Db, run: RunRow, why: string): void {
  inTransaction(db, (tx) => {
    const step = resumeStep(tx, run);
    const message = run.lastCheckpoint ? `${why}; resuming from its checkpoint at step ${step}.` : `${why}; restarting the run from the beginning.`;
    tx.insert(runEvents).values({ runId: run.id, step, message }).run();
    tx.update(trainingRuns).set({ status: "queued", workerPid: null, step }).where(eq(trainingRuns.id, run.id)).run();
  });
}

/**
 * A run resumed from its checkpoint redoes the steps after it: their progress rows from the
 * earlier attempt go, so the run's metrics show every step exactly once. Returns the resume step.
 */
export function discardRedoneProgress(db: Db, run: RunRow): number {
  const step = resumeStep(db, run);
  db.delete(runEvents).where(and(eq(runEvents.runId, run.id), gt(runEvents.step, step))).run();
  return step;
}

/** Takes the oldest queued run and marks it running under `pid`. */
export function claimNextRun(db: Db, pid: number): RunRow | undefined {
  return inTransaction(db, (tx) => {
    const run = tx.select().from(trainingRuns).where(eq(trainingRuns.status, "queued")).orderBy(asc(trainingRuns.id)).get();
    if (!run) return undefined;
    const now = new Date();
    return tx.update(trainingRuns)
      .set({ status: "running", workerPid: pid, attempts: run.attempts + 1, heartbeatAt: now, startedAt: run.startedAt ?? now, error: null })
      .where(eq(trainingRuns.id, run.id)).returning().get();
  });
}

/** Refreshes the run's heartbeat (the worker is alive and working on it). */
export function beat(db: Db, runId: number): void {
  db.update(trainingRuns).set({ heartbeatAt: new Date() }).where(eq(trainingRuns.id, runId)).run();
}

/** Whether someone asked to cancel the run (a vanished run counts as cancelled). */
export function isCancelRequested(db: Db, runId: number): boolean {
  const row = db.select({ c: trainingRuns.cancelRequested }).from(trainingRuns).where(eq(trainingRuns.id, runId)).get();
  return row?.c ?? true;
}

/** Stores facts the dashboard shows: the backend and the planned number of steps. */
export function setRunInfo(db: Db, runId: number, info: { backend?: string; totalSteps?: number }): void {
  if (info.backend === undefined && info.totalSteps === undefined) return;
  db.update(trainingRuns).set(info).where(eq(trainingRuns.id, runId)).run();
}

/** Appends a progress row and moves the run's step and heartbeat forward. */
export function recordProgress(db: Db, runId: number, e: ProgressEvent): void {
  db.insert(runEvents).values({ runId, ...e }).run();
  db.update(trainingRuns).set({ step: e.step, heartbeatAt: new Date() }).where(eq(trainingRuns.id, runId)).run();
}

/** Registers an output of the run (file or directory); returns the artifact id. */
export function recordArtifact(db: Db, runId: number, kind: ArtifactKind, path: string, metadata?: Record<string, unknown>, step?: number): number {
  return db.insert(runArtifacts).values({ runId, kind, path, metadata, step }).returning({ id: runArtifacts.id }).get().id;
}

/** Remembers the newest resumable checkpoint (and its step, as a checkpoint artifact). */
export function recordCheckpoint(db: Db, runId: number, dir: string, step: number): void {
  inTransaction(db, (tx) => {
    recordArtifact(tx, runId, "checkpoint", dir, { resumable: true }, step);
    tx.update(trainingRuns).set({ lastCheckpoint: dir, heartbeatAt: new Date() }).where(eq(trainingRuns.id, runId)).run();
  });
}

/** Final status; only a running run changes (a finished run is never reopened). */
export function finishRun(db: Db, runId: number, status: Extract<RunStatus, "succeeded" | "failed" | "cancelled">, error?: string): void {
  db.update(trainingRuns).set({ status, error: error ?? null, finishedAt: new Date(), workerPid: null })
    .where(and(eq(trainingRuns.id, runId), eq(trainingRuns.status, "running"))).run();
}
