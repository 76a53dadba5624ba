import { z } from "zod";
import { FLAG_REASONS, PAIR_OUTCOMES } from "../../db/enums";
import { pickNextTask, requireProject } from "../services/assignment";
import { annotatorProgress } from "../services/assignment-progress";
import { submitJudgement } from "../services/judgements";
import { flagTask, skipTask, undoLastJudgement } from "../services/judgements-actions";
import { ensureWorkerRunning } from "../../trainer/launcher";
import { annotatorProcedure, createTRPCRouter } from "../trpc";

/**
 * The annotator's procedures (issue 3). Every one acts on the caller's own work only: the
 * annotator id always comes from the session, never from the input. `next` is a mutation
 * because it leases; it is idempotent while a lease is held (a reload gets the same task).
 */
const id = z.number().int().positive();
const projectInput = z.object({ projectId: id });

const answer = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("pair"),
    outcome: z.enum(PAIR_OUTCOMES),
    strength: z.number().int().min(1, "Strength is 1, 2 or 3").max(3, "Strength is 1, 2 or 3").nullish(),
  }),
  z.object({ kind: z.literal("rank"), ranking: z.array(z.array(id).max(9)).min(1, "Send a ranking").max(9) }),
  z.object({ kind: z.literal("correction"), chosenCompletionId: id, correctedText: z.string().max(100_000, "The corrected text is too long") }),
]);

export const labelingRouter = createTRPCRouter({
  /** The task to show (null when none is left for this annotator), progress and guidelines. */
  next: annotatorProcedure
    .input(projectInput.extend({ another: z.boolean().optional() }))
    .mutation(({ ctx, input }) => pickNextTask(ctx.db, ctx.user.id, input.projectId, { another: input.another })),

  submit: annotatorProcedure
    .input(
      z.object({
        taskId: id,
        idempotencyKey: z.string().min(8, "The submission key needs at least 8 characters").max(100),
        answer,
        rationale: z.string().max(10_000, "The rationale is too long").nullish(),
        clientSeconds: z.number().min(0).max(86_400).nullish(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const result = submitJudgement(ctx.db, ctx.user.id, input);
      if (result.roundStarted !== null) ensureWorkerRunning(); // the auto-loop queued the round's reward run
      return result;
    }),

  skip: annotatorProcedure
    .input(z.object({ taskId: id, reason: z.string().trim().min(1, "Say why you skip this task").max(500) }))
    .mutation(({ ctx, input }) => skipTask(ctx.db, ctx.user.id, input)),

  flag: annotatorProcedure
    .input(z.object({ taskId: id, reason: z.enum(FLAG_REASONS), note: z.string().max(2000).nullish() }))
    .mutation(({ ctx, input }) => flagTask(ctx.db, ctx.user.id, input)),

  undo: annotatorProcedure.input(projectInput).mutation(({ ctx, input }) => undoLastJudgement(ctx.db, ctx.user.id, input.projectId)),

  myProgress: annotatorProcedure.input(projectInput).query(({ ctx, input }) => {
    const project = requireProject(ctx.db, input.projectId);
    return annotatorProgress(ctx.db, ctx.user.id, project.id, project.settings.maxActiveLeases);
  }),
});
