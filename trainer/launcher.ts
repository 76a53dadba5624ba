import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";

export { availableRunKinds, runKindSpec, RUN_KIND_REGISTRY, type RunKindSpec } from "./registry";

/**
 * The only trainer module the web server imports: it starts the training worker as a child
 * process and loads nothing heavy (no tensors in the server process, ever). Runs themselves are
 * queued by inserting a `queued` row; the worker polls for them.
 */

const globalForWorker = globalThis as unknown as { preflabWorker?: ChildProcess };

function workerEntry(): string {
  return path.join(/*turbopackIgnore: true*/ process.cwd(), "trainer", "worker", "main.ts");
}

/** Starts the worker if this process has none alive; returns its pid. */
export function ensureWorkerRunning(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const current = globalForWorker.preflabWorker;
  if (current && current.exitCode === null && !current.killed) return current.pid;
  const child = fork(workerEntry(), [], {
    execArgv: ["--import", "tsx"],
    env,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.on("exit", () => {
    if (globalForWorker.preflabWorker === child) globalForWorker.preflabWorker = undefined;
  });
  globalForWorker.preflabWorker = child;
  return child.pid;
}
