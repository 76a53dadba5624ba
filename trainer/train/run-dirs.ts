// The one naming scheme of a run's directories under <runs root>/<run id>/: resumable
// checkpoints, the best model under early stopping, and the final model otherwise.
import { existsSync, rmSync } from "node:fs";
import path from "node:path";

/** Where a run's resumable checkpoints live (deleted once the run has succeeded). */
export function checkpointsRoot(runDir: string): string {
  return path.join(runDir, "checkpoints");
}

/** A resumable checkpoint (model + optimizer + loop state) after `step` optimizer steps. */
export function checkpointDir(runDir: string, step: number): string {
  return path.join(checkpointsRoot(runDir), `step-${step}`);
}

/** The best model so far by the held-out metric early stopping watches. */
export function bestModelDir(runDir: string, step: number): string {
  return path.join(runDir, "best", `step-${step}`);
}

/** The model a run without early stopping ends with. */
export function finalModelDir(runDir: string): string {
  return path.join(runDir, "final");
}

/** Deletes a directory the run no longer needs (a superseded checkpoint or best model). */
export function removeDir(dir: string): void {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}

/** Where runs keep their directories: PREFLAB_RUNS_DIR, else "runs" beside the database file. */
export function runsRootFor(databaseFile: string): string {
  return process.env.PREFLAB_RUNS_DIR ?? path.join(path.dirname(path.resolve(databaseFile)), "runs");
}
