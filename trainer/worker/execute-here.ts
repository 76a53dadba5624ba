import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { trainingRuns } from "../../db/schema";
import type { RunListener } from "./run-context";
import { runOnce } from "./worker-loop";

export interface ExecuteHereOptions {
  runsRoot: string;
  log?: (line: string) => void;
  listener?: RunListener;
}

/**
 * Executes queued runs in this process until `runId` has finished (runs queued before it go
 * first): how the CLI and the demo train without a separate worker. Nothing claimable while the
 * run is still queued means another worker holds the queue: wait for it.
 */
export async function executeUntilDone(db: Db, runId: number, o: ExecuteHereOptions): Promise<void> {
  const status = () => db.select().from(trainingRuns).where(eq(trainingRuns.id, runId)).get()!.status;
  while (status() === "queued" || status() === "running") {
    if (!(await runOnce(db, { runsRoot: o.runsRoot, log: o.log, listener: o.listener }))) await new Promise((r) => setTimeout(r, 1000));
  }
}
