import { chatRequestSchema } from "../../../../core/openai/protocol";
import { getServerDb } from "../../../../server/db";
import { openaiRoute, readBody } from "../../../../server/services/openai/route";
import { serveChat } from "../../../../server/services/openai/serve";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** OpenAI's chat completions: the conversation rendered with preflab's chat template (core/openai/chat-template.ts). */
export const POST = openaiRoute(async (req) => {
  const body = await readBody(req, chatRequestSchema);
  return body instanceof Response ? body : serveChat(getServerDb(), body, req.signal);
});
