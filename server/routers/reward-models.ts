import { z } from "zod";
import { listRewardModels, scoreCompletion } from "../services/reward-models";
import { createTRPCRouter, researcherProcedure } from "../trpc";

export const rewardModelsRouter = createTRPCRouter({
  /** The project's reward models with their held-out metrics, newest first. */
  list: researcherProcedure
    .input(z.object({ projectId: z.number().int().positive() }))
    .query(({ ctx, input }) => listRewardModels(ctx.db, input.projectId)),

  /** Scores one completion in-process (linear models; neural ones score from the CLI). */
  score: researcherProcedure
    .input(z.object({ rewardModelId: z.number().int().positive(), prompt: z.string(), completion: z.string() }))
    .mutation(({ ctx, input }) => scoreCompletion(ctx.db, input)),
});
