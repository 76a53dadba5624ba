import { z } from "zod";
import { createApiToken, listApiTokens, revokeApiToken } from "../services/api-tokens";
import { createTRPCRouter, researcherProcedure } from "../trpc";

/** Bearer tokens for preflab's OpenAI-compatible endpoint (/v1); each researcher manages their own. */
export const apiTokensRouter = createTRPCRouter({
  list: researcherProcedure.query(({ ctx }) => listApiTokens(ctx.db, ctx.user.id)),

  /** The token is in this answer only: preflab keeps its hash. */
  create: researcherProcedure
    .input(z.object({ name: z.string().trim().min(1, "Name the token (what will use it)").max(120) }))
    .mutation(({ ctx, input }) => createApiToken(ctx.db, ctx.user.id, input.name)),

  revoke: researcherProcedure.input(z.object({ id: z.number().int().positive() })).mutation(({ ctx, input }) => revokeApiToken(ctx.db, ctx.user.id, input.id)),
});
