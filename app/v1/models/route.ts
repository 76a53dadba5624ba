import type { ModelList } from "../../../core/openai/protocol";
import { getServerDb } from "../../../server/db";
import { modelId, servedPolicies } from "../../../server/services/openai/served-models";
import { openaiRoute } from "../../../server/services/openai/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The policy versions served here, as OpenAI model ids (name@version). */
export const GET = openaiRoute(() => {
  const data = servedPolicies(getServerDb()).map((p) => ({ id: modelId(p), object: "model" as const, created: Math.floor(p.createdAt.getTime() / 1000), owned_by: "preflab" }));
  return Response.json({ object: "list", data } satisfies ModelList, { headers: { "Cache-Control": "no-store" } });
});
