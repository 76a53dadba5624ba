import { getServerDb } from "../../../../server/db";
import { isResearcher, jsonError, userFromRequest, withDatabaseFaults } from "../../../../server/http";
import { policyModelFile } from "../../../../server/services/model-files";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const PREFIX = "/api/models/";

/**
 * GET /api/models/<policyId>/<file>: a policy version's tokenizer, config and ONNX export for the
 * playground, where transformers.js generates in the browser (its env.localModelPath points here).
 * The path is read from the URL itself, so the handler needs nothing but the request.
 */
export const GET = withDatabaseFaults(async (req: Request) => {
  const user = userFromRequest(req);
  if (!isResearcher(user)) return jsonError(user ? 403 : 401, "The playground needs a researcher account.");
  // Not decoded: the served names need no escapes, so an escaped name (%2F, a malformed %) is simply not one of them.
  const rest = new URL(req.url).pathname.slice(PREFIX.length);
  const slash = rest.indexOf("/");
  const policyId = Number(rest.slice(0, slash));
  if (slash < 0 || !Number.isSafeInteger(policyId) || policyId <= 0) return jsonError(400, `Expected ${PREFIX}<policy id>/<file>, got ${PREFIX}${rest}.`);
  const answer = policyModelFile(getServerDb(), policyId, rest.slice(slash + 1));
  if (answer.status === 404) return jsonError(404, answer.message);
  return new Response(answer.body(), {
    headers: { "Content-Type": answer.contentType, "Content-Length": String(answer.size), "Cache-Control": "private, no-cache" },
  });
});
