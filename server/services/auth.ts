import crypto from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { UserRole } from "../../db/enums";
import { sessions, users } from "../../db/schema";
import { ServiceError } from "./errors";

// scrypt is memory-hard and ships with node:crypto: no native dependency to install.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, keyLength: 32, maxmem: 64 * 1024 * 1024 };
export const SESSION_COOKIE = "preflab_session";
export const SESSION_DAYS = 14;

export type SessionUser = Pick<typeof users.$inferSelect, "id" | "username" | "role" | "pseudonym">;

export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: SCRYPT.maxmem });
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64"), hash.toString("base64")].join("$");
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = crypto.scryptSync(password, Buffer.from(salt, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return crypto.timingSafeEqual(actual, expected);
}

/** How a bearer secret (session cookie, API token) is stored: a stolen database does not yield live ones. */
export const sha256 = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

export function createUser(db: Db, input: { username: string; password: string; role: UserRole }): SessionUser {
  if (db.select({ id: users.id }).from(users).where(eq(users.username, input.username)).get())
    throw new ServiceError("CONFLICT", `An account named "${input.username}" exists already.`);
  const [user] = db
    .insert(users)
    .values({
      username: input.username,
      passwordHash: hashPassword(input.password),
      role: input.role,
      pseudonym: `ann-${crypto.randomBytes(4).toString("hex")}`,
    })
    .returning({ id: users.id, username: users.username, role: users.role, pseudonym: users.pseudonym })
    .all();
  return user!;
}

/** Checks a username and password; the same answer whether the name or the password is wrong. */
export function authenticate(db: Db, username: string, password: string): SessionUser | null {
  const user = db.select().from(users).where(eq(users.username, username)).get();
  if (!user || user.disabled || !user.passwordHash) {
    hashPassword(password); // spend the same time, so timing does not reveal which names exist
    return null;
  }
  if (!verifyPassword(password, user.passwordHash)) return null;
  return { id: user.id, username: user.username, role: user.role, pseudonym: user.pseudonym };
}

/** Starts a session and returns the token for the cookie (only its hash is stored). */
export function createSession(db: Db, userId: number): { token: string; expiresAt: Date } {
  const token = crypto.randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  db.insert(sessions).values({ tokenHash: sha256(token), userId, expiresAt }).run();
  return { token, expiresAt };
}

export function userForSession(db: Db, token: string | undefined): SessionUser | null {
  if (!token) return null;
  const row = db
    .select({ id: users.id, username: users.username, role: users.role, pseudonym: users.pseudonym, disabled: users.disabled })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, sha256(token)), gt(sessions.expiresAt, new Date())))
    .get();
  if (!row || row.disabled) return null;
  return { id: row.id, username: row.username, role: row.role, pseudonym: row.pseudonym };
}

export function deleteSession(db: Db, token: string): void {
  db.delete(sessions).where(eq(sessions.tokenHash, sha256(token))).run();
}

/** Ends every session of a user (sign out everywhere, an admin revoking, disabling); returns how many. */
export function deleteUserSessions(db: Db, userId: number): number {
  return db.delete(sessions).where(eq(sessions.userId, userId)).run().changes;
}

export function sessionCookie(token: string, expiresAt: Date): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

export function readCookie(header: string | null, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}
