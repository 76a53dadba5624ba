import { authRouter } from "./routers/auth";
import { labelingRouter } from "./routers/labeling";
import { projectsRouter } from "./routers/projects";
import { qualityRouter } from "./routers/quality";
import { runsRouter } from "./routers/runs";
import { usersRouter } from "./routers/users";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** The router map: one router per resource. */
export const appRouter = createTRPCRouter({
  auth: authRouter,
  labeling: labelingRouter,
  projects: projectsRouter,
  quality: qualityRouter,
  runs: runsRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
