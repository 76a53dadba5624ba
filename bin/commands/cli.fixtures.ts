import { spawn } from "node:child_process";
import path from "node:path";

/** The environment of a CLI process on a database file (runs beside it); without a database, the process gets none. */
const cliEnv = (dbFile: string | null) => (dbFile ? { ...process.env, PREFLAB_DB: dbFile, PREFLAB_RUNS_DIR: path.join(path.dirname(dbFile), "runs") } : process.env);

/**
 * Runs the real CLI entry as its own process on a database file (runs beside it), as a user at
 * the terminal would; resolves to the exit code and output. Without a database, the process gets
 * none. Awaited, never blocking: the test worker keeps answering Vitest while the CLI runs, which
 * a loaded machine (a CLI start taking most of a minute) otherwise turns into an "onTaskUpdate"
 * timeout that fails the whole run.
 */
export function preflab(
  dbFile: string | null,
  args: string[],
  timeoutMs = 120_000,
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/preflab.mjs", ...args], { env: { ...cliEnv(dbFile), ...options.env }, timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
