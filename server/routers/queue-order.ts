import { z } from "zod";
import { queueOrdering } from "../../core/queue-order";
import { requireRewardModel } from "../services/reward-models";
import { createTRPCRouter, researcherProcedure } from "../trpc";

/** How a project's queue is ordered right now (the setting itself is in projects.update). */
export const queueOrderRouter = createTRPCRouter({
  status: researcherProcedure.input(z.object({ projectId: z.number().int().positive() })).query(({ ctx, input }) => {
    const row = queueOrdering(ctx.db, input.projectId) ?? null;
    const model = row?.rewardModelId ? requireRewardModel(ctx.db, row.rewardModelId) : null;
    return row && { ...row, rewardModel: model && { id: model.id, name: model.name, kind: model.kind } };
  }),
});
