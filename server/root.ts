import { apiTokensRouter } from "./routers/api-tokens";
import { authRouter } from "./routers/auth";
import { battlesRouter } from "./routers/battles";
import { endpointsRouter } from "./routers/endpoints";
import { evaluationsRouter } from "./routers/evaluations";
import { labelingRouter } from "./routers/labeling";
import { leaderboardRouter } from "./routers/leaderboard";
import { lineageRouter } from "./routers/lineage";
import { overviewRouter } from "./routers/overview";
import { projectsRouter } from "./routers/projects";
import { qualityRouter } from "./routers/quality";
import { queueOrderRouter } from "./routers/queue-order";
import { rewardModelsRouter } from "./routers/reward-models";
import { roundsRouter } from "./routers/rounds";
import { runsRouter } from "./routers/runs";
import { usersRouter } from "./routers/users";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** The router map: one router per resource. */
export const appRouter = createTRPCRouter({
  apiTokens: apiTokensRouter,
  auth: authRouter,
  battles: battlesRouter,
  endpoints: endpointsRouter,
  evaluations: evaluationsRouter,
  labeling: labelingRouter,
  leaderboard: leaderboardRouter,
  lineage: lineageRouter,
  overview: overviewRouter,
  projects: projectsRouter,
  quality: qualityRouter,
  queueOrder: queueOrderRouter,
  rewardModels: rewardModelsRouter,
  rounds: roundsRouter,
  runs: runsRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
