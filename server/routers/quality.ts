import { z } from "zod";
import { requireProject } from "../services/assignment";
import { projectAgreement } from "../services/quality";
import { annotatorReport } from "../services/quality-annotators";
import { projectProgress } from "../services/quality-progress";
import { createTRPCRouter, researcherProcedure } from "../trpc";

/** The researcher's view of labeling quality and progress (issue 3); annotators get FORBIDDEN. */
const projectInput = z.object({ projectId: z.number().int().positive() });

export const qualityRouter = createTRPCRouter({
  projectAgreement: researcherProcedure
    .input(projectInput.extend({ minShared: z.number().int().min(1).max(10_000).optional() }))
    .query(({ ctx, input }) => projectAgreement(ctx.db, requireProject(ctx.db, input.projectId).id, { minShared: input.minShared })),

  annotators: researcherProcedure.input(projectInput).query(({ ctx, input }) => annotatorReport(ctx.db, requireProject(ctx.db, input.projectId).id)),

  projectProgress: researcherProcedure.input(projectInput).query(({ ctx, input }) => projectProgress(ctx.db, requireProject(ctx.db, input.projectId).id)),
});
