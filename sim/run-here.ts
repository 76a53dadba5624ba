// Queue a run and execute it in this process, as `preflab train` does (bin/commands/train.ts
// executeUntilDone, which is not exported: this is the same 10-line loop).
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import type { RunKind } from "../db/enums";
import { trainingRuns } from "../db/schema";
import { queueRun } from "../server/services/runs";
import type { RunListener } from "../trainer/worker/run-context";

export interface RunHereOptions {
  runsRoot: string;
  log?: (line: string) => void;
  listener?: RunListener;
}

export async function executeUntilDone(db: Db, runId: number, o: RunHereOptions): Promise<void> {
  const { runOnce } = await import("../trainer/worker/worker-loop");
  const status = () => db.select().from(trainingRuns).where(eq(trainingRuns.id, runId)).get()!.status;
  while (status() === "queued" || status() === "running") {
    if (!(await runOnce(db, { runsRoot: o.runsRoot, log: o.log, listener: o.listener }))) await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Queues a run of `kind` (origin cli), executes it here, returns its finished row; throws unless it succeeded. */
export async function runHere(db: Db, kind: RunKind, projectId: number, config: Record<string, unknown>, o: RunHereOptions) {
  const run = queueRun(db, { kind, projectId, config, createdBy: null, origin: "cli" });
  o.log?.(`queued ${kind} run ${run.id}`);
  await executeUntilDone(db, run.id, o);
  const done = db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()!;
  if (done.status !== "succeeded") throw new Error(`${kind} run ${run.id} ${done.status}${done.error ? `: ${done.error}` : ""}`);
  return done;
}
