import { TRPCError } from "@trpc/server";
import { count, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { z } from "zod";
import { users } from "../../db/schema";
import { authenticate, clearedSessionCookie, createSession, createUser, deleteSession, deleteUserSessions, sessionCookie } from "../services/auth";
import { ServiceError } from "../services/errors";
import { loginRetryAfter, recordLoginFailure, recordLoginSuccess } from "../services/login-limit";
import { authedProcedure, createTRPCRouter, publicProcedure } from "../trpc";

const credentials = z.object({
  username: z.string().trim().min(2, "Username needs at least 2 characters").max(64).regex(/^[\w.-]+$/, "Use letters, digits, dot, dash or underscore"),
  password: z.string().min(8, "Password needs at least 8 characters").max(256),
});

/** People's accounts: imported Arena judges (external pseudonyms) do not make an instance set up. */
const accountCount = (db: Db) => db.select({ n: count() }).from(users).where(eq(users.external, false)).get()!.n;

export const authRouter = createTRPCRouter({
  /** Who is signed in, and whether the instance still needs its first admin. */
  status: publicProcedure.query(({ ctx }) => {
    return { user: ctx.user, needsSetup: accountCount(ctx.db) === 0 };
  }),

  /** Creates the first account (an admin); refused once any account exists. */
  setup: publicProcedure.input(credentials).mutation(({ ctx, input }) => {
    const created = ctx.db.$client
      .transaction(() => {
        if (accountCount(ctx.db) > 0) return null;
        return createUser(ctx.db, { ...input, role: "admin" });
      })
      .immediate();
    if (!created) throw new ServiceError("FORBIDDEN", "This instance already has an admin; sign in instead.");
    const session = createSession(ctx.db, created.id);
    ctx.setCookie(sessionCookie(session.token, session.expiresAt));
    return created;
  }),

  signIn: publicProcedure
    .input(z.object({ username: z.string().trim().min(1, "Enter your username").max(256), password: z.string().min(1, "Enter your password").max(1024) }))
    .mutation(({ ctx, input }) => {
      const attempt = { username: input.username, address: ctx.clientAddress ?? "unknown" };
      const retryAfter = loginRetryAfter(attempt);
      if (retryAfter > 0) {
        ctx.setHeader("Retry-After", String(retryAfter));
        throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `Too many failed sign-ins: try again in ${Math.ceil(retryAfter / 60)} min.` });
      }
      const user = authenticate(ctx.db, input.username, input.password);
      if (!user) {
        recordLoginFailure(attempt);
        throw new ServiceError("BAD_REQUEST", "Wrong username or password.");
      }
      recordLoginSuccess(attempt);
      const session = createSession(ctx.db, user.id);
      ctx.setCookie(sessionCookie(session.token, session.expiresAt));
      return user;
    }),

  signOut: authedProcedure.mutation(({ ctx }) => {
    if (ctx.sessionToken) deleteSession(ctx.db, ctx.sessionToken);
    ctx.setCookie(clearedSessionCookie());
    return { ok: true };
  }),

  /** Ends every session of this account (a lost laptop, a shared computer), this one included. */
  signOutEverywhere: authedProcedure.mutation(({ ctx }) => {
    const ended = deleteUserSessions(ctx.db, ctx.user.id);
    ctx.setCookie(clearedSessionCookie());
    return { ended };
  }),
});

export { credentials };
