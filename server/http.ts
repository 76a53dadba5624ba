import { databaseFault, type DatabaseFault } from "../db/errors";
import { getServerDb } from "./db";
import type { ServiceError } from "./services/errors";
import { readCookie, SESSION_COOKIE, userForSession, type SessionUser } from "./services/auth";

/** The signed-in user of a raw route handler request (upload, download), or null. */
export function userFromRequest(req: Request): SessionUser | null {
  return userForSession(getServerDb(), readCookie(req.headers.get("cookie"), SESSION_COOKIE));
}

/**
 * The caller's address, for rate limits. `next start` sets X-Forwarded-For to the socket's address
 * when the request has none, and a reverse proxy appends the address it saw, so the last entry is
 * the one nobody but the nearest hop wrote. A client talking to `next start` directly can still
 * send its own header: per-address limits slow such a client only if it does not forge it, which
 * is why the per-account limit exists beside them.
 */
export function clientAddress(req: Request): string {
  const hops = req.headers.get("x-forwarded-for")?.split(",").map((h) => h.trim()).filter(Boolean) ?? [];
  return hops.at(-1) ?? req.headers.get("x-real-ip") ?? "unknown";
}

export function isResearcher(user: SessionUser | null): user is SessionUser {
  return user?.role === "researcher" || user?.role === "admin";
}

/** Bodies an HTML form can send cross-site without a CORS preflight. */
const FORM_CONTENT_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]);

/**
 * CSRF protection for state-changing requests (callers apply it to POST), in this order:
 * 1. `Sec-Fetch-Site` present: only `same-origin` or `none` (the user's own action, e.g. a
 *    bookmark) passes; `same-site` and `cross-site` are refused.
 * 2. `Origin` present: it must name this server's host (`null`, from sandboxed or privacy-stripped
 *    contexts, does not).
 * 3. Neither present: every browser preflab supports sends at least one of them on a cross-site
 *    POST (Origin on all non-GET fetch/XHR and form posts; Sec-Fetch-Site on all requests), so this
 *    is a non-browser client (curl, a script), which holds only the cookie it was given and cannot
 *    carry a user's cookie by accident. Allowed, unless the body is a form encoding: only a form
 *    posts those without a preflight, and a browser too old to send either header posts forms, so
 *    refusing them closes that last gap at the cost of making scripts name a real content type.
 * SameSite=Lax session cookies remain the second line.
 */
export function isSameOrigin(req: Request): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return false;
  const origin = req.headers.get("origin");
  if (origin !== null) return originIsHost(origin, req);
  if (site !== null) return true;
  const contentType = req.headers.get("content-type")?.split(";")[0]!.trim().toLowerCase();
  return contentType === undefined || !FORM_CONTENT_TYPES.has(contentType);
}

function originIsHost(origin: string, req: Request): boolean {
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false; // "null" and other opaque origins
  }
}

/** The HTTP status of a ServiceError's code, as tRPC answers it: raw routes answer the same. */
export const SERVICE_ERROR_STATUS: Record<ServiceError["code"], number> = { BAD_REQUEST: 400, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, PRECONDITION_FAILED: 412 };

export function jsonError(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

/** 507 Insufficient Storage for a full disk; 503 for every other fault of the database itself (it may pass). */
export function databaseFaultStatus(fault: DatabaseFault): 503 | 507 {
  return fault.kind === "full" ? 507 : 503;
}

/**
 * Wraps a raw route handler (upload, download) so that a fault of the database (full disk,
 * read-only file, lock held elsewhere) answers with its status and a message the user can act on
 * instead of a bare 500; anything else is rethrown as before. tRPC gets the same mapping in
 * server/trpc.ts's error formatter.
 */
export function withDatabaseFaults(handler: (req: Request) => Promise<Response>): (req: Request) => Promise<Response> {
  return async (req) => {
    try {
      return await handler(req);
    } catch (error) {
      const fault = databaseFault(error);
      if (!fault) throw error;
      console.error(`${req.method} ${new URL(req.url).pathname}: ${fault.code}`, error);
      return jsonError(databaseFaultStatus(fault), fault.message);
    }
  };
}
