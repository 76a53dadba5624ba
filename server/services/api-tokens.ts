/**
 * API tokens for preflab's OpenAI-compatible endpoint (/v1): a researcher makes one, sees it once,
 * and hands it to a client (another preflab, a script, an OpenAI SDK) as `Authorization: Bearer`.
 * Only its sha256 is stored, like session tokens; it acts as its user, so a disabled account's
 * tokens stop working, and deleting the account deletes them.
 */
import crypto from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { apiTokens, users } from "../../db/schema";
import { sha256, type SessionUser } from "./auth";
import { ServiceError } from "./errors";

const TOKEN_PREFIX = "pfl_";
/** Characters of the token shown in listings (the marker and a few random ones). */
const SHOWN_CHARS = 10;
/** lastUsedAt is refreshed at most this often: a busy client does not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function createApiToken(db: Db, userId: number, name: string) {
  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
  const row = db.insert(apiTokens).values({ tokenHash: sha256(token), userId, name, prefix: token.slice(0, SHOWN_CHARS) })
    .returning({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, createdAt: apiTokens.createdAt }).get();
  return { ...row, token };
}

/** The user's tokens, newest first, without their secrets. */
export function listApiTokens(db: Db, userId: number) {
  return db.select({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.id)).all();
}

export function revokeApiToken(db: Db, userId: number, id: number): void {
  const deleted = db.delete(apiTokens).where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId))).run().changes;
  if (deleted === 0) throw new ServiceError("NOT_FOUND", `You have no API token with id ${id}.`);
}

/** The user a bearer token acts as, or null (unknown token, disabled account). */
export function userForApiToken(db: Db, token: string): SessionUser | null {
  const row = db.select({ tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt, id: users.id, username: users.username, role: users.role, pseudonym: users.pseudonym, disabled: users.disabled })
    .from(apiTokens).innerJoin(users, eq(users.id, apiTokens.userId)).where(eq(apiTokens.tokenHash, sha256(token))).get();
  if (!row || row.disabled) return null;
  const now = Date.now();
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS)
    db.update(apiTokens).set({ lastUsedAt: new Date(now) }).where(eq(apiTokens.id, row.tokenId)).run();
  return { id: row.id, username: row.username, role: row.role, pseudonym: row.pseudonym };
}
