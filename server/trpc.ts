/**
 * 1. CONTEXT: what every procedure sees. `createInnerContext` needs no HTTP request, so tests
 *    call routers directly on a real database (`appRouter.createCaller(createInnerContext(...))`).
 */
import { initTRPC, TRPCError, type TRPCDefaultErrorData } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import type { Db } from "../db/client";
import type { UserRole } from "../db/enums";
import { databaseFault, isUniqueViolation, type DatabaseFault } from "../db/errors";
import { getServerDb } from "./db";
import { ServiceError } from "./services/errors";

export { ServiceError };
import { readCookie, SESSION_COOKIE, userForSession, type SessionUser } from "./services/auth";
import { clientAddress, databaseFaultStatus } from "./http";

export interface Context {
  db: Db;
  user: SessionUser | null;
  /** Cookies a procedure wants set on the response (sign-in, sign-out). */
  setCookie: (cookie: string) => void;
  /** Other response headers (Retry-After on a rate-limited sign-in). */
  setHeader: (name: string, value: string) => void;
  sessionToken?: string;
  /** The caller's network address as the proxy in front reports it (see clientAddress); rate limits key on it. */
  clientAddress?: string;
}

type InnerContextOptions = Pick<Context, "db" | "user" | "sessionToken" | "clientAddress"> & Partial<Pick<Context, "setCookie" | "setHeader">>;

export function createInnerContext(opts: InnerContextOptions): Context {
  return { setCookie: () => {}, setHeader: () => {}, ...opts };
}

export function createRequestContext({ req, resHeaders }: { req: Request; resHeaders: Headers }): Context {
  const db = getServerDb();
  const sessionToken = readCookie(req.headers.get("cookie"), SESSION_COOKIE);
  return createInnerContext({
    db,
    user: userForSession(db, sessionToken),
    setCookie: (cookie) => resHeaders.append("Set-Cookie", cookie),
    setHeader: (name, value) => resHeaders.set(name, value),
    sessionToken,
    clientAddress: clientAddress(req),
  });
}

/**
 * Who may call a procedure: "public", or the least role (annotator < researcher < admin). Every
 * procedure declares it through the builder it is made from, the check below enforces exactly
 * that declaration, and server/security's authorization matrix reads it from the router.
 */
export type ProcedureAccess = "public" | UserRole;
export interface ProcedureMeta {
  access: ProcedureAccess;
}

/**
 * A fault of the database itself (full disk, read-only file, a lock another process holds past
 * the busy timeout) arrives as an internal error, from a procedure or from opening the database
 * for the context. The client gets SERVICE_UNAVAILABLE (HTTP 507 for a full disk, 503 otherwise)
 * with a message it can show, never a 500 with the driver's words; the route's onError still
 * logs the cause for the administrator.
 */
function databaseFaultData(fault: DatabaseFault | null): Partial<TRPCDefaultErrorData> {
  return fault ? { code: "SERVICE_UNAVAILABLE", httpStatus: databaseFaultStatus(fault) } : {};
}

/**
 * 2. INITIALIZATION: superjson carries Dates; zod failures become 400s whose message is the
 *    zod message, so clients show what was wrong instead of "internal error".
 */
const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    const fault = error.code === "INTERNAL_SERVER_ERROR" ? databaseFault(error.cause) : null;
    return {
      ...shape,
      message: fault?.message ?? (zodError ? z.prettifyError(zodError) : shape.message),
      data: {
        ...shape.data,
        ...databaseFaultData(fault),
        stack: undefined,
        zodIssues: zodError?.issues ?? null,
        // Paths inside the document a service validated (e.g. a run's config), for the form's fields.
        fieldIssues: error.cause instanceof ServiceError && error.cause.issues.length ? error.cause.issues : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * 3. PROCEDURES: the role is checked on the server for every procedure, from the access it
 *    declares (`meta`); the UI hiding a button is a convenience, never the protection.
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

const ROLE_RANK: Record<UserRole, number> = { annotator: 0, researcher: 1, admin: 2 };

/** Enforces the procedure's declared access; a procedure that declares none is refused to everyone. */
const enforceDeclaredAccess = t.middleware(({ ctx, meta, next }) => {
  const access = meta?.access;
  if (access === "public") return next();
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  if (access === undefined) throw new TRPCError({ code: "FORBIDDEN", message: "This procedure declares no access rule." });
  if (ROLE_RANK[ctx.user.role] < ROLE_RANK[access])
    throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${access === "researcher" ? "researcher or admin" : access} role.` });
  return next();
});

const declaredProcedure = t.procedure.use(mapServiceErrors).use(enforceDeclaredAccess);

export const publicProcedure = declaredProcedure.meta({ access: "public" });

/** Signed in, any role; `ctx.user` is typed non-null from here on. */
export const authedProcedure = declaredProcedure.meta({ access: "annotator" }).use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const annotatorProcedure = authedProcedure;
export const researcherProcedure = authedProcedure.meta({ access: "researcher" });
export const adminProcedure = authedProcedure.meta({ access: "admin" });
