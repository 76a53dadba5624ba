import { z } from "zod";
import { requireProject } from "../services/assignment";
import { ACTIVITY_DAYS, projectActivity } from "../services/project-activity";
import { cachedForProject } from "../services/quality-cache";
import { agreementOverTime } from "../services/quality-over-time";
import { createTRPCRouter, researcherProcedure } from "../trpc";

/**
 * The workspace overview's charts. Each reads every judgement of the project once (seconds at a
 * million), so repeated views come from the quality cache until a judgement changes; the key names
 * the window's last hour or day, so a cached chart never shows a window that has moved on.
 */
const input = z.object({ projectId: z.number().int().positive(), days: z.number().int().min(1).max(ACTIVITY_DAYS.max).default(ACTIVITY_DAYS.default) });

export const overviewRouter = createTRPCRouter({
  /** Judgements by task kind and state, human labels per hour, median seconds per judgement per day. */
  activity: researcherProcedure.input(input).query(({ ctx, input }) => {
    const id = requireProject(ctx.db, input.projectId).id;
    const now = Date.now();
    return cachedForProject(ctx.db, id, `activity:${input.days}:${Math.floor(now / 3_600_000)}`, () => projectActivity(ctx.db, id, { days: input.days, now }));
  }),

  /** Fleiss' kappa of the tasks finished on each day of the window. */
  agreement: researcherProcedure.input(input).query(({ ctx, input }) => {
    const id = requireProject(ctx.db, input.projectId).id;
    const now = Date.now();
    return cachedForProject(ctx.db, id, `agreement-by-day:${input.days}:${Math.floor(now / 86_400_000)}`, () => agreementOverTime(ctx.db, id, { days: input.days, now }));
  }),
});
