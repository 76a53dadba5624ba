import { authRouter } from "./routers/auth";
import { projectsRouter } from "./routers/projects";
import { usersRouter } from "./routers/users";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** The router map: one router per resource. */
export const appRouter = createTRPCRouter({
  auth: authRouter,
  projects: projectsRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
