import { z } from "zod";
import { ensureWorkerRunning } from "../../trainer/launcher";
import { evaluablePolicies, getEvaluation, humanComparisonPlan, listEvaluations, queueEvaluation, queueHumanEvaluation } from "../services/evaluations";
import { createTRPCRouter, researcherProcedure } from "../trpc";

const projectId = z.object({ projectId: z.number().int().positive() });
const runId = z.object({ runId: z.number().int().positive() });

export const evaluationsRouter = createTRPCRouter({
  /** Policy versions an evaluation can compare (checkpoints of the project, and the built-in one), with lineage. */
  policies: researcherProcedure.input(projectId).query(({ ctx, input }) => evaluablePolicies(ctx.db, input.projectId)),

  /** The project's evaluations, newest first: per policy the RM win rate, mean reward, KL and human win rate. */
  list: researcherProcedure.input(projectId).query(({ ctx, input }) => listEvaluations(ctx.db, input.projectId)),

  get: researcherProcedure.input(runId).query(({ ctx, input }) => getEvaluation(ctx.db, input.runId)),

  /** Validates, fixes the base and queues an `evaluate` run; the worker does the sampling. */
  create: researcherProcedure
    .input(projectId.extend({ config: z.record(z.string(), z.unknown()) }))
    .mutation(({ ctx, input }) => {
      const run = queueEvaluation(ctx.db, { ...input, createdBy: ctx.user.id });
      ensureWorkerRunning();
      return run;
    }),

  /** How many blind pair tasks a human comparison would create (for the confirmation). */
  humanPlan: researcherProcedure.input(runId).query(({ ctx, input }) => {
    const { pending, tasks } = humanComparisonPlan(ctx.db, input.runId);
    return { tasks, policies: pending.map((r) => ({ policy: r.policy, prompts: r.prompts })) };
  }),

  /** Queues one high-priority `sample` run (layout pair) per policy against the base. */
  createHumanEvaluation: researcherProcedure.input(runId).mutation(({ ctx, input }) => {
    const result = queueHumanEvaluation(ctx.db, { runId: input.runId, createdBy: ctx.user.id });
    ensureWorkerRunning();
    return result;
  }),
});
