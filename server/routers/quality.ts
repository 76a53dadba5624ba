import { z } from "zod";
import { requireProject } from "../services/assignment";
import { projectAgreement } from "../services/quality";
import { annotatorReport } from "../services/quality-annotators";
import { cachedForProject } from "../services/quality-cache";
import { projectProgress } from "../services/quality-progress";
import { createTRPCRouter, researcherProcedure } from "../trpc";

/**
 * The researcher's view of labeling quality and progress (issue 3); annotators get FORBIDDEN.
 * Each reads every judgement of the project: repeated views are served from a cache that any
 * change to what they read invalidates (quality-cache.ts).
 */
const projectInput = z.object({ projectId: z.number().int().positive() });

export const qualityRouter = createTRPCRouter({
  projectAgreement: researcherProcedure
    .input(projectInput.extend({ minShared: z.number().int().min(1).max(10_000).optional() }))
    .query(({ ctx, input }) => {
      const { id } = requireProject(ctx.db, input.projectId);
      return cachedForProject(ctx.db, id, `agreement:${input.minShared ?? ""}`, () => projectAgreement(ctx.db, id, { minShared: input.minShared }));
    }),

  annotators: researcherProcedure.input(projectInput).query(({ ctx, input }) => {
    const { id } = requireProject(ctx.db, input.projectId);
    return cachedForProject(ctx.db, id, "annotators", () => annotatorReport(ctx.db, id));
  }),

  projectProgress: researcherProcedure.input(projectInput).query(({ ctx, input }) => {
    const { id } = requireProject(ctx.db, input.projectId);
    return cachedForProject(ctx.db, id, "progress", () => projectProgress(ctx.db, id));
  }),
});
