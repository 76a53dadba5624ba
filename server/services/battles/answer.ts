/**
 * One side of a battle: a policy answers the conversation, streamed. A preflab version answers
 * through the same code as /v1/chat/completions (trainer/serve: ONNX Runtime, the chat template);
 * an external policy at its endpoint (streamed chat, or the template for a completions endpoint),
 * within the endpoint's concurrency shared by every request of this process.
 */
import { callEndpoint } from "../../../core/openai/client";
import { endpointTarget } from "../../../core/openai/endpoint-target";
import { sharedLimiter } from "../../../core/openai/limiter";
import type { Db } from "../../../db/client";
import type { ChatMessage, policies } from "../../../db/schema";
import type { BattleSettings, SamplingParams } from "../../../db/types";
import { generateLocal, randomSeed, type StreamObserver } from "../../../trainer/serve/local-generate";

type PolicyRow = typeof policies.$inferSelect;

export interface BattleAnswer {
  text: string;
  /** How it was drawn, as its completion will record it. */
  params: SamplingParams;
}

export async function answerWithPolicy(db: Db, policy: PolicyRow, messages: ChatMessage[], settings: BattleSettings, observer: Required<StreamObserver>): Promise<BattleAnswer> {
  const seed = randomSeed();
  const asked = { temperature: settings.temperature, maxNewTokens: settings.maxNewTokens, seed };
  if (policy.kind === "external") {
    const target = endpointTarget(db, policy);
    const limit = sharedLimiter(`policy:${policy.id}`, target.config.concurrency);
    const answer = await limit(() => callEndpoint(target, { messages, maxTokens: settings.maxNewTokens, temperature: settings.temperature, seed }, observer));
    return { text: answer.text, params: asked };
  }
  const answer = await generateLocal(policy.path!, { messages }, { maxTokens: settings.maxNewTokens, temperature: settings.temperature, seed }, observer);
  return { text: answer.text, params: { ...asked, maxNewTokens: answer.maxTokens } };
}
