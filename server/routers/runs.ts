import { z } from "zod";
import { RUN_KINDS } from "../../db/enums";
import { availableRunKinds, ensureWorkerRunning, runConfigSchemas } from "../../trainer/launcher";
import { cancelRun, listRuns, queueRun, resumeRun, runDetails } from "../services/runs";
import { createTRPCRouter, researcherProcedure } from "../trpc";

const runId = z.object({ runId: z.number().int().positive() });

export const runsRouter = createTRPCRouter({
  /** The kinds this preflab can train, each with its default config (shown in the form). */
  kinds: researcherProcedure.query(() =>
    availableRunKinds().map((kind) => ({ kind, defaults: runConfigSchemas[kind]!.parse({}) })),
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

  cancel: researcherProcedure.input(runId).mutation(({ ctx, input }) => cancelRun(ctx.db, input.runId)),

  resume: researcherProcedure.input(runId).mutation(({ ctx, input }) => {
    const run = resumeRun(ctx.db, input.runId);
    ensureWorkerRunning();
    return run;
  }),
});
