import type { Db } from "../../db/client";
import { eq } from "drizzle-orm";
import type { RunKind } from "../../db/enums";
import { trainingRuns } from "../../db/schema";
import { claimNextRun, discardRedoneProgress, finishRun, requeueFromCheckpoint, requeueStaleRuns, type RunRow } from "./queue";
import { runKindSpec } from "../registry";
import { betweenRuns } from "./between-runs";
import { checkpointsRoot, removeDir } from "../train/run-dirs";
import { RunCancelled, RunContext, WorkerStopping, type Executor, type RunListener } from "./run-context";

/** Executors that replace the registry's (tests run stand-in kinds through the real worker). */
export type ExecutorOverrides = Partial<Record<RunKind, Executor>>;

export interface WorkerOptions {
  runsRoot: string;
  /** Default: each kind's executor from trainer/registry.ts. */
  executors?: ExecutorOverrides;
  /** Follows every run this worker executes (the CLI prints progress). */
  listener?: RunListener;
  /** A running run whose heartbeat is older than this is considered orphaned and requeued. */
  staleAfterMs?: number;
  log?: (line: string) => void;
  /** True once the worker should stop: the current run is put back in the queue at its checkpoint. */
  shouldStop?: () => boolean;
}

const DEFAULT_STALE_MS = 60_000;

function requireRunRow(db: Db, id: number) {
  return db.select().from(trainingRuns).where(eq(trainingRuns.id, id)).get()!;
}

/**
 * Claims and executes one queued run; false when the queue is empty. Either way, the loop's rounds
 * and the annotation queues are then brought up to date (between-runs.ts), so a round's next step
 * is queued by the time this returns.
 */
export async function runOnce(db: Db, opts: WorkerOptions): Promise<boolean> {
  requeueStaleRuns(db, opts.staleAfterMs ?? DEFAULT_STALE_MS);
  const run = claimNextRun(db, process.pid);
  const log = opts.log ?? (() => {});
  if (!run) {
    await betweenRuns(db, null, log);
    return false;
  }
  await executeRun(db, run, opts, log);
  await betweenRuns(db, requireRunRow(db, run.id), log);
  return true;
}

async function executeRun(db: Db, run: RunRow, opts: WorkerOptions, log: (line: string) => void): Promise<void> {
  const executor = opts.executors?.[run.kind] ?? (await runKindSpec(run.kind)?.executor());
  if (!executor) {
    finishRun(db, run.id, "failed", `This preflab cannot run "${run.kind}" training yet.`);
    return;
  }
  if (run.attempts > 1) discardRedoneProgress(db, run);
  log(`run ${run.id} (${run.kind}) started, attempt ${run.attempts}`);
  try {
    const ctx = new RunContext(db, run, opts.runsRoot, opts.listener, opts.shouldStop);
    await executor(ctx);
    finishRun(db, run.id, "succeeded");
    removeDir(checkpointsRoot(ctx.runDir)); // a finished run is never resumed: its optimizer state is dead weight
    log(`run ${run.id} succeeded`);
  } catch (error) {
    if (error instanceof WorkerStopping) {
      requeueFromCheckpoint(db, requireRunRow(db, run.id), "The worker was stopped");
      log(`run ${run.id} put back in the queue`);
    } else if (error instanceof RunCancelled) {
      finishRun(db, run.id, "cancelled");
      log(`run ${run.id} cancelled`);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      finishRun(db, run.id, "failed", message);
      log(`run ${run.id} failed: ${error instanceof Error ? error.stack : message}`);
    }
  }
}

/** Executes runs one at a time until `shouldStop` says so, polling an empty queue. */
export async function runWorker(db: Db, opts: WorkerOptions & { pollMs?: number; shouldStop: () => boolean }): Promise<void> {
  // A run still `running` under a process that no longer exists was left by a worker that died.
  requeueStaleRuns(db, 0);
  while (!opts.shouldStop()) {
    const worked = await runOnce(db, opts);
    if (!worked) await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
  }
}
