import { eq } from "drizzle-orm";
import { z } from "zod";
import { projects } from "../../db/schema";
import { projectSettingsSchema } from "../../db/types";
import { ServiceError } from "../services/errors";
import { listImports, listProjectsForLabeling, listProjectsWithCounts } from "../services/project-stats";
import { ensureProject, findProjectByName, getProject } from "../services/projects";
import { orderChanged, reorderQueueNow } from "../services/queue-order";
import { ensureWorkerRunning } from "../../trainer/launcher";
import { authedProcedure, createTRPCRouter, researcherProcedure } from "../trpc";

const projectId = z.object({ projectId: z.number().int().positive() });

function requireProject(db: Parameters<typeof getProject>[0], id: number) {
  const project = getProject(db, id);
  if (!project) throw new ServiceError("NOT_FOUND", `No project with id ${id}.`);
  return project;
}

export const projectsRouter = createTRPCRouter({
  list: researcherProcedure.query(({ ctx }) => listProjectsWithCounts(ctx.db)),

  /** Projects an annotator can pick in the labeling screen: names and open task counts only. */
  forLabeling: authedProcedure.query(({ ctx }) => listProjectsForLabeling(ctx.db)),

  /** Annotators read a project's name and guidelines; settings and data stay with researchers. */
  guidelines: authedProcedure.input(projectId).query(({ ctx, input }) => {
    const project = requireProject(ctx.db, input.projectId);
    return { id: project.id, name: project.name, guidelines: project.guidelines };
  }),

  get: researcherProcedure.input(projectId).query(({ ctx, input }) => requireProject(ctx.db, input.projectId)),

  /** The project a workspace URL names (/projects/[name]/...). */
  byName: researcherProcedure.input(z.object({ name: z.string().min(1) })).query(({ ctx, input }) => {
    const project = findProjectByName(ctx.db, input.name);
    if (!project) throw new ServiceError("NOT_FOUND", `No project named "${input.name}".`);
    return { id: project.id, name: project.name };
  }),

  create: researcherProcedure
    .input(z.object({ name: z.string().trim().min(1, "Name the project").max(120) }))
    .mutation(({ ctx, input }) => {
      if (findProjectByName(ctx.db, input.name)) throw new ServiceError("CONFLICT", `A project named "${input.name}" exists already.`);
      return ensureProject(ctx.db, input.name, ctx.user.id);
    }),

  update: researcherProcedure
    .input(projectId.extend({ guidelines: z.string().max(100_000).optional(), settings: projectSettingsSchema.partial().optional() }))
    .mutation(async ({ ctx, input }) => {
      const project = requireProject(ctx.db, input.projectId);
      const settings = projectSettingsSchema.parse({ ...project.settings, ...input.settings });
      ctx.db
        .update(projects)
        .set({ guidelines: input.guidelines ?? project.guidelines, settings })
        .where(eq(projects.id, project.id))
        .run();
      // A new queue order (or reward model for it) re-scores the queue now; a neural model's pass is the worker's.
      if (orderChanged(project.settings, settings) && (await reorderQueueNow(ctx.db, project.id)).pending) ensureWorkerRunning();
      return requireProject(ctx.db, project.id);
    }),

  imports: researcherProcedure.input(projectId).query(({ ctx, input }) => listImports(ctx.db, input.projectId)),
});
