import { z } from "zod";
import { RUN_KINDS } from "../../db/enums";
import { availableRunKinds, ensureWorkerRunning, runKindSpec } from "../../trainer/launcher";
import { compareRuns, MAX_COMPARED_RUNS } from "../services/run-compare";
import { cancelRun, listRuns, queueRun, resumeRun, runDetails } from "../services/runs";
import { createTRPCRouter, researcherProcedure } from "../trpc";

const runId = z.object({ runId: z.number().int().positive() });

export const runsRouter = createTRPCRouter({
  /** The kinds this preflab can train: description, default config and the JSON Schema the launch form is built from. */
  kinds: researcherProcedure.query(() =>
    availableRunKinds().map((kind) => {
      const spec = runKindSpec(kind)!;
      return { kind, description: spec.description, needsProject: spec.needsProject, defaults: spec.schema.parse({}), jsonSchema: z.toJSONSchema(spec.schema, { io: "input" }) };
    }),
  ),

  /** Validates, queues and returns at once; the worker (started if needed) does the training. */
  create: researcherProcedure
    .input(z.object({ kind: z.enum(RUN_KINDS), projectId: z.number().int().positive(), config: z.record(z.string(), z.unknown()).default({}) }))
    .mutation(({ ctx, input }) => {
      const run = queueRun(ctx.db, { ...input, createdBy: ctx.user.id });
      ensureWorkerRunning();
      return run;
    }),

  list: researcherProcedure
    .input(z.object({ projectId: z.number().int().positive().optional() }).default({}))
    .query(({ ctx, input }) => listRuns(ctx.db, input.projectId)),

  get: researcherProcedure.input(runId).query(({ ctx, input }) => runDetails(ctx.db, input.runId)),

  /** Two or more runs of a project side by side: their metric rows, for one chart per metric with a line per run. */
  compare: researcherProcedure
    .input(z.object({ projectId: z.number().int().positive(), runIds: z.array(z.number().int().positive()).min(2).max(MAX_COMPARED_RUNS) }))
    .query(({ ctx, input }) => compareRuns(ctx.db, input.projectId, input.runIds)),

  cancel: researcherProcedure.input(runId).mutation(({ ctx, input }) => cancelRun(ctx.db, input.runId)),

  resume: researcherProcedure.input(runId).mutation(({ ctx, input }) => {
    const run = resumeRun(ctx.db, input.runId);
    ensureWorkerRunning();
    return run;
  }),
});
