import { spawn, spawnSync } from "node:child_process";
import path from "node:path";

/** The environment of a CLI process on a database file (runs beside it); without a database, the process gets none. */
const cliEnv = (dbFile: string | null) => (dbFile ? { ...process.env, PREFLAB_DB: dbFile, PREFLAB_RUNS_DIR: path.join(path.dirname(dbFile), "runs") } : process.env);

/**
 * Runs the real CLI entry as its own process on a database file (runs beside it), as a user at
 * the terminal would; returns the exit code and output. Without a database, the process gets none.
 */
export function preflab(dbFile: string | null, args: string[], timeoutMs = 120_000) {
  const out = spawnSync(process.execPath, ["bin/preflab.mjs", ...args], { env: cliEnv(dbFile), encoding: "utf8", timeout: timeoutMs });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

/**
 * The same, awaited instead of blocking: the test worker keeps answering Vitest while the CLI
 * runs, which a loaded machine (a CLI start taking most of a minute) otherwise turns into an
 * "onTaskUpdate" timeout.
 */
export function preflabAsync(dbFile: string | null, args: string[], timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/preflab.mjs", ...args], { env: cliEnv(dbFile), timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
