// What answers a sample run's prompts for one policy: its checkpoint on ONNX Runtime (one draw at a
// time: the cores are shared), or its OpenAI-compatible endpoint (up to the endpoint's concurrency
// in flight, each call timed out and retried as its registration says). Both record the sampling
// parameters of every draw, so a completion says how it was made.
import { callEndpoint } from "../../core/openai/client";
import { endpointTarget, policyWithId } from "../../core/openai/endpoint-target";
import { createLimiter } from "../../core/openai/limiter";
import type { PromptToAnswer } from "../../core/evaluation-prompts";
import type { PolicyRow } from "../../core/policy-versions";
import type { Db } from "../../db/client";
import type { SamplingParams } from "../../db/types";
import { openOnnxCheckpoint, type OnnxLanguageModel } from "../onnx/checkpoint";
import { generateFromIds } from "../onnx/generate";
import { promptIdsWithRoom } from "../serve/local-generate";

/** One draw's sampling parameters, as its completion records them (drex adds its noise level ε). */
export type DrawParams = Required<Pick<SamplingParams, "temperature" | "maxNewTokens" | "seed">> & Pick<SamplingParams, "epsilon">;
export interface Sample { text: string; params: DrawParams }

export interface PolicySampler {
  row: PolicyRow;
  /** How many prompts are worth sampling at once for this policy (an endpoint's concurrency; 1 on the local cores). */
  parallelism: number;
  /** One sample per draw of the prompt. */
  draw(prompt: PromptToAnswer, draws: DrawParams[]): Promise<Sample[]>;
  release(): Promise<void>;
}

/** One policy's continuations of a prompt, one per draw; the prompt keeps its end to leave room for the longest draw. */
export async function continuePrompt(model: OnnxLanguageModel, text: string, draws: DrawParams[]): Promise<Sample[]> {
  const promptIds = promptIdsWithRoom(model, text, Math.max(...draws.map((d) => d.maxNewTokens)));
  const out: Sample[] = [];
  for (const params of draws) { // one draw at a time: the cores are shared
    const [g] = await generateFromIds(model.lm, [promptIds], model.tokenizer, params);
    out.push({ text: g!.text, params });
  }
  return out;
}

async function checkpointSampler(row: PolicyRow): Promise<PolicySampler> {
  const model = await openOnnxCheckpoint(row.path!, { intraOpNumThreads: 1 });
  const one = createLimiter(1); // prompts sampled side by side for an endpoint still take turns here
  return { row, parallelism: 1, draw: (prompt, draws) => one(() => continuePrompt(model, prompt.text, draws)), release: () => model.lm.release() };
}

/** Chat endpoints get the prompt's messages (a plain prompt as one user message); completions endpoints its text. */
function endpointSampler(db: Db, row: PolicyRow): PolicySampler {
  const target = endpointTarget(db, row);
  const limit = createLimiter(target.config.concurrency);
  const chat = target.config.mode === "chat";
  const drawOne = (prompt: PromptToAnswer, params: DrawParams) => limit(async () => {
    const input = chat ? { messages: prompt.messages ?? [{ role: "user", content: prompt.text }] } : { prompt: prompt.text };
    const answer = await callEndpoint(target, { ...input, maxTokens: params.maxNewTokens, temperature: params.temperature, seed: params.seed });
    return { text: answer.text, params };
  });
  return { row, parallelism: target.config.concurrency, draw: (prompt, draws) => Promise.all(draws.map((d) => drawOne(prompt, d))), release: async () => {} };
}

/** Samplers for every row, in order; if one cannot be opened, those opened are released and the error names the policy. */
export async function openSamplers(db: Db, rows: PolicyRow[]): Promise<PolicySampler[]> {
  const open: PolicySampler[] = [];
  try {
    for (const row of rows) open.push(row.kind === "external" ? endpointSampler(db, row) : await checkpointSampler(row));
    return open;
  } catch (error) {
    await Promise.all(open.map((o) => o.release()));
    throw new Error(`policy ${policyWithId(rows[open.length]!)} cannot be opened: ${(error as Error).message}`);
  }
}
