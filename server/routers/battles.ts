import { z } from "zod";
import { requireProject } from "../services/assignment";
import { battleCandidates } from "../services/battles/policies";
import { battleProjects, battlePrompts } from "../services/battles/projects";
import { battleVoteInput, voteBattle } from "../services/battles/vote";
import { authedProcedure, createTRPCRouter, researcherProcedure } from "../trpc";

const projectId = z.object({ projectId: z.number().int().positive() });

/** Live battles (Arena mode); each turn itself streams from POST /api/battles. */
export const battlesRouter = createTRPCRouter({
  /** The battle projects an annotator can pick: names only. */
  projects: authedProcedure.query(({ ctx }) => battleProjects(ctx.db)),

  /** Prompts of the project to start a battle from. */
  prompts: authedProcedure
    .input(projectId.extend({ search: z.string().max(200).optional() }))
    .query(({ ctx, input }) => battlePrompts(ctx.db, input.projectId, input.search)),

  /** The vote: the turn becomes a finished pair task with its judgement; the answer reveals the two policies. */
  vote: authedProcedure.input(battleVoteInput).mutation(({ ctx, input }) => voteBattle(ctx.db, ctx.user.id, input)),

  /** Policies the project's battles may draw (for the researcher's settings). */
  candidates: researcherProcedure.input(projectId).query(({ ctx, input }) => battleCandidates(ctx.db, requireProject(ctx.db, input.projectId).id)),
});
