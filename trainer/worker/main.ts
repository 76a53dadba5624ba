import path from "node:path";
import { databasePathFromEnv, openDatabase } from "../../db/client";
import { loadExecutors } from "./executors";
import { runWorker } from "./worker-loop";

/**
 * The training worker: a child process of the web server (or `preflab worker` on its own) that
 * executes queued runs one at a time, off the request path. It exits when its parent goes away,
 * so a stopped server never leaves an orphan training in the background.
 */
async function main(): Promise<void> {
  const dbFile = databasePathFromEnv();
  const db = openDatabase(dbFile);
  const runsRoot = process.env.PREFLAB_RUNS_DIR ?? path.join(path.dirname(path.resolve(dbFile)), "runs");
  let stopping = false;
  const stop = () => (stopping = true);
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.on("disconnect", () => process.exit(0));
  const log = (line: string) => process.stdout.write(`[worker ${process.pid}] ${line}\n`);
  log(`started on ${dbFile}`);
  await runWorker(db, { runsRoot, executors: await loadExecutors(), shouldStop: () => stopping, log });
  db.$client.close();
}

main().catch((error) => {
  process.stderr.write(`[worker] fatal: ${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
