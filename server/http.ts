import { getServerDb } from "./db";
import { readCookie, SESSION_COOKIE, userForSession, type SessionUser } from "./services/auth";

/** The signed-in user of a raw route handler request (upload, download), or null. */
export function userFromRequest(req: Request): SessionUser | null {
  return userForSession(getServerDb(), readCookie(req.headers.get("cookie"), SESSION_COOKIE));
}

export function isResearcher(user: SessionUser | null): user is SessionUser {
  return user?.role === "researcher" || user?.role === "admin";
}

/**
 * CSRF protection for state-changing requests: a browser always sends Origin on cross-site
 * POSTs, so a POST whose Origin is not this server is refused (SameSite=Lax cookies are the
 * second line).
 */
export function isSameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (!origin) return true; // not a browser (CLI, curl, tests): no ambient cookies to abuse
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function jsonError(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}
