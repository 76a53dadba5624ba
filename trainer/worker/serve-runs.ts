import { databasePathFromEnv, openDatabase } from "../../db/client";
import { runsRootFor } from "../train/run-dirs";
import { runWorker } from "./worker-loop";

/**
 * Executes queued runs one at a time until SIGTERM/SIGINT (the current run is left `running`
 * with its checkpoint; the next worker resumes it). Used by the web server's child process
 * (trainer/worker/main.ts) and by `preflab worker`.
 */
export async function serveRuns(log: (line: string) => void): Promise<void> {
  const dbFile = databasePathFromEnv();
  const db = openDatabase(dbFile);
  let stopping = false;
  const stop = () => {
    stopping = true;
    log("stopping after the current step");
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  log(`started on ${dbFile}`);
  await runWorker(db, { runsRoot: runsRootFor(dbFile), shouldStop: () => stopping, log });
  db.$client.close();
}
