import { authRouter } from "./routers/auth";
import { evaluationsRouter } from "./routers/evaluations";
import { labelingRouter } from "./routers/labeling";
import { leaderboardRouter } from "./routers/leaderboard";
import { projectsRouter } from "./routers/projects";
import { qualityRouter } from "./routers/quality";
import { rewardModelsRouter } from "./routers/reward-models";
import { runsRouter } from "./routers/runs";
import { usersRouter } from "./routers/users";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** The router map: one router per resource. */
export const appRouter = createTRPCRouter({
  auth: authRouter,
  evaluations: evaluationsRouter,
  labeling: labelingRouter,
  leaderboard: leaderboardRouter,
  projects: projectsRouter,
  quality: qualityRouter,
  rewardModels: rewardModelsRouter,
  runs: runsRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
