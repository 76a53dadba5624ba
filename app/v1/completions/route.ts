import { completionRequestSchema } from "../../../core/openai/protocol";
import { getServerDb } from "../../../server/db";
import { openaiRoute, readBody } from "../../../server/services/openai/route";
import { serveCompletion } from "../../../server/services/openai/serve";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** OpenAI's text completions, answered by a preflab policy version (see server/services/openai/serve.ts). */
export const POST = openaiRoute(async (req) => {
  const body = await readBody(req, completionRequestSchema);
  return body instanceof Response ? body : serveCompletion(getServerDb(), body, req.signal);
});
