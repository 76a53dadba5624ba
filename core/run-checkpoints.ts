// Where a run continues from when it goes back to the queue: shared by the worker (a run whose
// worker died or stopped) and the server (a researcher resuming a failed or cancelled run), so
// both reset the run to the same step.
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { runArtifacts, type trainingRuns } from "../db/schema";

type RunRow = typeof trainingRuns.$inferSelect;

/** The step a checkpoint directory was saved at (from its artifact row), if recorded. */
export function checkpointStep(db: Db, runId: number, dir: string): number | undefined {
  const row = db.select({ step: runArtifacts.step }).from(runArtifacts)
    .where(and(eq(runArtifacts.runId, runId), eq(runArtifacts.kind, "checkpoint"), eq(runArtifacts.path, dir)))
    .orderBy(desc(runArtifacts.id)).get();
  return row?.step ?? undefined;
}

/** The step a requeued run restarts at: its last checkpoint's, or 0 without one. */
export function resumeStep(db: Db, run: Pick<RunRow, "id" | "lastCheckpoint" | "step">): number {
  return run.lastCheckpoint ? checkpointStep(db, run.id, run.lastCheckpoint) ?? run.step : 0;
}
