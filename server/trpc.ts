/**
 * 1. CONTEXT: what every procedure sees. `createInnerContext` needs no HTTP request, so tests
 *    call routers directly on a real database (`appRouter.createCaller(createInnerContext(...))`).
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import type { Db } from "../db/client";
import type { UserRole } from "../db/enums";
import { isUniqueViolation } from "../db/errors";
import { getServerDb } from "./db";
import { ServiceError } from "./services/errors";

export { ServiceError };
import { readCookie, SESSION_COOKIE, userForSession, type SessionUser } from "./services/auth";

export interface Context {
  db: Db;
  user: SessionUser | null;
  /** Cookies a procedure wants set on the response (sign-in, sign-out). */
  setCookie: (cookie: string) => void;
  sessionToken?: string;
}

export function createInnerContext(opts: { db: Db; user: SessionUser | null; setCookie?: (c: string) => void; sessionToken?: string }): Context {
  return { db: opts.db, user: opts.user, setCookie: opts.setCookie ?? (() => {}), sessionToken: opts.sessionToken };
}

export function createRequestContext({ req, resHeaders }: { req: Request; resHeaders: Headers }): Context {
  const db = getServerDb();
  const sessionToken = readCookie(req.headers.get("cookie"), SESSION_COOKIE);
  return createInnerContext({
    db,
    user: userForSession(db, sessionToken),
    setCookie: (cookie) => resHeaders.append("Set-Cookie", cookie),
    sessionToken,
  });
}

/**
 * 2. INITIALIZATION: superjson carries Dates; zod failures become 400s whose message is the
 *    zod message, so clients show what was wrong instead of "internal error".
 */
const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      message: zodError ? z.prettifyError(zodError) : shape.message,
      data: { ...shape.data, stack: undefined, zodIssues: zodError?.issues ?? null },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * 3. PROCEDURES: the role is checked on the server for every procedure; the UI hiding a button
 *    is a convenience, never the protection.
 */
const mapServiceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof ServiceError) throw new TRPCError({ code: cause.code, message: cause.message, cause });
    if (isUniqueViolation(cause)) throw new TRPCError({ code: "CONFLICT", message: "That already exists.", cause });
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapServiceErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

function roleProcedure(roles: readonly UserRole[]) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.user.role))
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${roles.join(" or ")} role.` });
    return next({ ctx });
  });
}

export const annotatorProcedure = authedProcedure;
export const researcherProcedure = roleProcedure(["researcher", "admin"]);
export const adminProcedure = roleProcedure(["admin"]);

