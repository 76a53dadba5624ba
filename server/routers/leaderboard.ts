import { z } from "zod";
import { projectLeaderboard } from "../services/leaderboard";
import { createTRPCRouter, researcherProcedure } from "../trpc";

export const leaderboardRouter = createTRPCRouter({
  /** Ratings with 95% bootstrap intervals, best first (see server/services/leaderboard.ts). */
  get: researcherProcedure
    .input(z.object({ projectId: z.number().int().positive(), base: z.string().min(1).optional() }))
    .query(({ ctx, input }) => projectLeaderboard(ctx.db, input.projectId, { base: input.base })),
});
