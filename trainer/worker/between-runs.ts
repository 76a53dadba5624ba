/**
 * What the worker does after each run and whenever it finds the queue empty: move the loop's
 * rounds on (trainer/worker/auto-loop.ts) and re-score the annotation queues that need it
 * (trainer/worker/queue-rescore.ts). Both are bookkeeping around runs: a failure is logged and
 * never stops the worker or changes the run's own outcome.
 */
import type { Db } from "../../db/client";
import { advanceRounds } from "./auto-loop";
import type { RunRow } from "./queue";
import { rescoreQueues } from "./queue-rescore";

export async function betweenRuns(db: Db, finished: RunRow | null, log: (line: string) => void): Promise<void> {
  try {
    const moved = advanceRounds(db);
    if (moved.length) log(`rounds ${moved.join(", ")} moved on`);
  } catch (error) {
    log(`advancing rounds failed: ${error instanceof Error ? error.stack : error}`);
  }
  try {
    const rescored = await rescoreQueues(db, finished);
    if (rescored.length) log(`queue re-scored for projects ${rescored.join(", ")}`);
  } catch (error) {
    log(`re-scoring queues failed: ${error instanceof Error ? error.stack : error}`);
  }
}
