// Queue a run and execute it in this process, as `preflab train` does.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import type { RunKind } from "../db/enums";
import { trainingRuns } from "../db/schema";
import { queueRun } from "../server/services/runs";
import { executeUntilDone, type ExecuteHereOptions } from "../trainer/worker/execute-here";

export type RunHereOptions = ExecuteHereOptions;

/** Queues a run of `kind` (origin cli), executes it here, returns its finished row; throws unless it succeeded. */
export async function runHere(db: Db, kind: RunKind, projectId: number, config: Record<string, unknown>, o: RunHereOptions) {
  const run = queueRun(db, { kind, projectId, config, createdBy: null, origin: "cli" });
  o.log?.(`queued ${kind} run ${run.id}`);
  await executeUntilDone(db, run.id, o);
  const done = db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()!;
  if (done.status !== "succeeded") throw new Error(`${kind} run ${run.id} ${done.status}${done.error ? `: ${done.error}` : ""}`);
  return done;
}
