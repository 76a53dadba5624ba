import { spawnSync } from "node:child_process";
import path from "node:path";

/**
 * Runs the real CLI entry as its own process on a database file (runs beside it), as a user at
 * the terminal would; returns the exit code and output. Without a database, the process gets none.
 */
export function preflab(dbFile: string | null, args: string[], timeoutMs = 120_000) {
  const env = dbFile ? { ...process.env, PREFLAB_DB: dbFile, PREFLAB_RUNS_DIR: path.join(path.dirname(dbFile), "runs") } : process.env;
  const out = spawnSync(process.execPath, ["bin/preflab.mjs", ...args], { env, encoding: "utf8", timeout: timeoutMs });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}
