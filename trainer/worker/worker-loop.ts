import type { Db } from "../../db/client";
import type { RunKind } from "../../db/enums";
import { claimNextRun, finishRun, requeueStaleRuns } from "./queue";
import { RunCancelled, RunContext, type Executor } from "./run-context";

export type ExecutorRegistry = Partial<Record<RunKind, Executor>>;

export interface WorkerOptions {
  runsRoot: string;
  executors: ExecutorRegistry;
  /** A running run whose heartbeat is older than this is considered orphaned and requeued. */
  staleAfterMs?: number;
  log?: (line: string) => void;
}

const DEFAULT_STALE_MS = 60_000;

/** Claims and executes one queued run; false when the queue is empty. */
export async function runOnce(db: Db, opts: WorkerOptions): Promise<boolean> {
  requeueStaleRuns(db, opts.staleAfterMs ?? DEFAULT_STALE_MS);
  const run = claimNextRun(db, process.pid);
  if (!run) return false;
  const log = opts.log ?? (() => {});
  const executor = opts.executors[run.kind];
  if (!executor) {
    finishRun(db, run.id, "failed", `This preflab cannot run "${run.kind}" training yet.`);
    return true;
  }
  log(`run ${run.id} (${run.kind}) started, attempt ${run.attempts}`);
  try {
    await executor(new RunContext(db, run, opts.runsRoot));
    finishRun(db, run.id, "succeeded");
    log(`run ${run.id} succeeded`);
  } catch (error) {
    if (error instanceof RunCancelled) {
      finishRun(db, run.id, "cancelled");
      log(`run ${run.id} cancelled`);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      finishRun(db, run.id, "failed", message);
      log(`run ${run.id} failed: ${error instanceof Error ? error.stack : message}`);
    }
  }
  return true;
}

/** Executes runs one at a time until `shouldStop` says so, polling an empty queue. */
export async function runWorker(db: Db, opts: WorkerOptions & { pollMs?: number; shouldStop: () => boolean }): Promise<void> {
  while (!opts.shouldStop()) {
    const worked = await runOnce(db, opts);
    if (!worked) await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
  }
}
