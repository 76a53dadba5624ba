import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { USER_ROLES } from "../../db/enums";
import { users } from "../../db/schema";
import { createUser, deleteUserSessions } from "../services/auth";
import { adminProcedure, createTRPCRouter } from "../trpc";
import { credentials } from "./auth";

export const usersRouter = createTRPCRouter({
  list: adminProcedure.query(({ ctx }) =>
    ctx.db
      .select({ id: users.id, username: users.username, role: users.role, pseudonym: users.pseudonym, disabled: users.disabled, createdAt: users.createdAt })
      .from(users)
      .where(eq(users.external, false)) // imported Arena judges are pseudonyms, not accounts
      .orderBy(asc(users.id))
      .all(),
  ),

  create: adminProcedure
    .input(credentials.extend({ role: z.enum(USER_ROLES) }))
    .mutation(({ ctx, input }) => createUser(ctx.db, input)),

  update: adminProcedure
    .input(
      z
        .object({ id: z.number().int(), role: z.enum(USER_ROLES).optional(), disabled: z.boolean().optional() })
        // An update with nothing to set was a 500 ("No values to set"), found by server/security's fuzzing.
        .refine((i) => i.role !== undefined || i.disabled !== undefined, "Say what to change: role or disabled."),
    )
    .mutation(({ ctx, input }) => {
      const { id, ...changes } = input;
      if (id === ctx.user.id && (changes.disabled || (changes.role && changes.role !== "admin")))
        throw new z.ZodError([{ code: "custom", path: ["id"], message: "You cannot demote or disable yourself.", input: id }]);
      ctx.db.update(users).set(changes).where(eq(users.id, id)).run();
      // A disabled account is out at once, not when its cookies expire.
      if (changes.disabled) deleteUserSessions(ctx.db, id);
      return { ok: true };
    }),

  /** Signs a user out of every browser (a leaked password, a departed annotator); returns how many sessions ended. */
  revokeSessions: adminProcedure
    .input(z.object({ id: z.number().int().positive() }))
    .mutation(({ ctx, input }) => ({ ended: deleteUserSessions(ctx.db, input.id) })),
});
