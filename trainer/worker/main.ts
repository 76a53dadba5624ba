import { serveRuns } from "./serve-runs";

/**
 * The training worker: a child process of the web server that executes queued runs one at a time,
 * off the request path. It exits when its parent goes away, so a stopped server never leaves an
 * orphan training in the background (the run it held is resumed by the next worker).
 */
process.on("disconnect", () => process.exit(0));
serveRuns((line) => process.stdout.write(`[worker ${process.pid}] ${line}\n`)).catch((error) => {
  process.stderr.write(`[worker] fatal: ${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
