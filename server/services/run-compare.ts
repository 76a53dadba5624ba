import { and, asc, eq, inArray, isNotNull, or } from "drizzle-orm";
import type { Db } from "../../db/client";
import { runEvents, trainingRuns } from "../../db/schema";
import { ServiceError } from "./errors";

/** Runs one overlay chart can hold: enough to compare a sweep, few enough to tell the lines apart. */
export const MAX_COMPARED_RUNS = 8;

/**
 * The progress rows of several runs of one project, for one chart per metric with a line per run:
 * only rows carrying a loss or metrics (log lines stay on each run's page), oldest first.
 */
export function compareRuns(db: Db, projectId: number, runIds: number[]) {
  const ids = [...new Set(runIds)];
  if (ids.length < 2 || ids.length > MAX_COMPARED_RUNS) throw new ServiceError("BAD_REQUEST", `Pick 2 to ${MAX_COMPARED_RUNS} runs to compare.`);
  const runs = db.select().from(trainingRuns).where(inArray(trainingRuns.id, ids)).all();
  const missing = ids.filter((id) => !runs.some((r) => r.id === id && r.projectId === projectId));
  if (missing.length) throw new ServiceError("NOT_FOUND", `Run ${missing.join(", ")} is not a run of this project.`);
  const events = db
    .select({ runId: runEvents.runId, step: runEvents.step, loss: runEvents.loss, metrics: runEvents.metrics })
    .from(runEvents)
    .where(and(inArray(runEvents.runId, ids), or(isNotNull(runEvents.loss), isNotNull(runEvents.metrics))))
    .orderBy(asc(runEvents.runId), asc(runEvents.id))
    .all();
  return ids.map((id) => {
    const run = runs.find((r) => r.id === id)!;
    return {
      id,
      kind: run.kind,
      status: run.status,
      step: run.step,
      totalSteps: run.totalSteps,
      config: run.config,
      events: events.filter((e) => e.runId === id).map(({ step, loss, metrics }) => ({ step, loss, metrics })),
    };
  });
}

export type ComparedRun = ReturnType<typeof compareRuns>[number];
