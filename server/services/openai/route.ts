/**
 * What every /v1 route does before generating: who is asking (a bearer API token, or a signed-in
 * researcher's session from this site: never anonymous, never an annotator, since model ids name
 * the policies), the JSON body against the endpoint's schema, and errors in the shape OpenAI
 * clients read (`{ error: { message, type } }`) with the usual statuses.
 */
import { z } from "zod";
import { errorBody } from "../../../core/openai/protocol";
import { getServerDb } from "../../db";
import { isResearcher, isSameOrigin, SERVICE_ERROR_STATUS, userFromRequest, withDatabaseFaults } from "../../http";
import { userForApiToken } from "../api-tokens";
import type { SessionUser } from "../auth";
import { ServiceError } from "../errors";

export function openaiError(status: number, message: string, type = "invalid_request_error"): Response {
  return Response.json(errorBody(message, type), { status });
}

/** The caller: a bearer token when one is sent (an unknown one is refused, not ignored), else the session cookie. */
function caller(req: Request): { user: SessionUser | null; problem: Response | null } {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "")?.[1];
  if (bearer) {
    const user = userForApiToken(getServerDb(), bearer);
    return { user, problem: user ? null : openaiError(401, "This API token is not valid (revoked, mistyped, or its account is disabled).", "authentication_error") };
  }
  // A session cookie rides along with any request the browser makes: only this site's own count.
  if (req.method === "POST" && !isSameOrigin(req)) return { user: null, problem: openaiError(403, "Cross-site request refused.", "permission_error") };
  return { user: userFromRequest(req), problem: null };
}

/** A /v1 handler behind the checks above; a ServiceError becomes its status with the message. */
export function openaiRoute(handler: (req: Request, user: SessionUser) => Promise<Response> | Response) {
  return withDatabaseFaults(async (req) => {
    const { user, problem } = caller(req);
    if (problem) return problem;
    if (!user) return openaiError(401, "Send an API token (Authorization: Bearer …; researchers make them in a project's Policies section) or sign in.", "authentication_error");
    if (!isResearcher(user)) return openaiError(403, "The OpenAI-compatible API needs a researcher account.", "permission_error");
    try {
      return await handler(req, user);
    } catch (error) {
      if (error instanceof ServiceError) return openaiError(SERVICE_ERROR_STATUS[error.code], error.message, error.code === "NOT_FOUND" ? "model_not_found" : "invalid_request_error");
      throw error;
    }
  });
}

/** The request's JSON body validated by `schema`; a 400 naming the bad fields otherwise. */
export async function readBody<T>(req: Request, schema: z.ZodType<T>): Promise<T | Response> {
  let json: unknown;
  try {
    json = await req.json();
  } catch {
    return openaiError(400, "The request body is not JSON.");
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : openaiError(400, z.prettifyError(parsed.error));
}
