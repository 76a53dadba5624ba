import { z } from "zod";
import { getServerDb } from "../../../server/db";
import { isSameOrigin, jsonError, SERVICE_ERROR_STATUS, userFromRequest, withDatabaseFaults } from "../../../server/http";
import { battleStream } from "../../../server/services/battles/stream";
import { battleTurnInput } from "../../../server/services/battles/turn";
import { ServiceError } from "../../../server/services/errors";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * A live battle's turn: two hidden policies answer the conversation, streamed side by side as
 * server-sent events (server/services/battles/stream.ts). Anyone signed in may battle; a refusal
 * (not a battle project, no such prompt, fewer than two policies) comes before any streaming.
 */
export const POST = withDatabaseFaults(async (req: Request) => {
  if (!isSameOrigin(req)) return jsonError(403, "Cross-site request refused.");
  const user = userFromRequest(req);
  if (!user) return jsonError(401, "Sign in to battle.");
  const parsed = battleTurnInput.safeParse(await req.json().catch(() => undefined));
  if (!parsed.success) return jsonError(400, z.prettifyError(parsed.error));
  try {
    return battleStream(getServerDb(), user, parsed.data, req.signal);
  } catch (error) {
    if (error instanceof ServiceError) return jsonError(SERVICE_ERROR_STATUS[error.code], error.message);
    throw error;
  }
});
