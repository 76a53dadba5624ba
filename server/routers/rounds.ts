import { z } from "zod";
import { RUN_KINDS } from "../../db/enums";
import { ensureWorkerRunning } from "../../trainer/launcher";
import { autoLoopStatus, configureAutoLoop, startRound } from "../services/rounds";
import { listRounds } from "../services/rounds-list";
import { createTRPCRouter, researcherProcedure } from "../trpc";

/** The loop's rounds of a project (issue 10): the lab notebook, the auto-loop switch, "next round now". */
const projectId = z.object({ projectId: z.number().int().positive() });
const config = z.record(z.string(), z.unknown()).nullable();

export const roundsRouter = createTRPCRouter({
  /** Rounds newest first with their runs, reward model, policies and results; the auto-loop's state. */
  list: researcherProcedure.input(projectId).query(({ ctx, input }) => ({
    rounds: listRounds(ctx.db, input.projectId),
    status: autoLoopStatus(ctx.db, input.projectId),
  })),

  /** Starts the next round now with the configs the auto-loop would use (refused while one runs). */
  start: researcherProcedure.input(projectId).mutation(({ ctx, input }) => {
    const round = startRound(ctx.db, input.projectId, "manual", ctx.user.id)!;
    ensureWorkerRunning();
    return round;
  }),

  /** Switches the auto-loop and sets N and the configs (null: the last ones used); validated now. */
  configure: researcherProcedure
    .input(projectId.extend({
      enabled: z.boolean().optional(),
      judgementsPerRound: z.number().int().min(1, "At least one judgement per round").max(1_000_000).optional(),
      policyKind: z.enum(RUN_KINDS).nullable().optional(),
      reward: config.optional(),
      policy: config.optional(),
      sample: config.optional(),
    }))
    .mutation(({ ctx, input }) => {
      const { projectId: id, ...patch } = input;
      const result = configureAutoLoop(ctx.db, id, patch);
      if (result.started) ensureWorkerRunning();
      return result;
    }),
});
