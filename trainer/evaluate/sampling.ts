// Samples of one checkpoint on a set of prompts (ONNX Runtime), with what the KL estimate needs:
// the token ids and the policy's own log-probs of temperature-1 samples; or of an external
// policy at its endpoint (texts only: no token ids, so no KL).
import { readFileSync } from "node:fs";
import path from "node:path";
import type { PromptToAnswer } from "../../core/evaluation-prompts";
import type { PolicyRow } from "../../core/policy-versions";
import type { Db } from "../../db/client";
import type { Generation } from "../generate";
import { openOnnxCheckpoint } from "../onnx/checkpoint";
import { generateFromIds } from "../onnx/generate";
import { openSamplers } from "../sample/samplers";
import { contextLength } from "../models/model-config";
import { encodePrompt, keepPromptEnd } from "../tokenizer/sequence-start";

export interface SampleOptions {
  samplesPerPrompt: number;
  maxNewTokens: number;
  temperature: number;
  seed: number;
}

export interface SampleSet {
  /** Sample texts, prompt-major: [prompts * samplesPerPrompt]. */
  texts: string[];
  /** Temperature-1 samples (the same ones when temperature is 1): ids and summed log π(y). */
  klRows: Array<{ promptIds: number[]; completionIds: number[]; logp: number }>;
}

/** Rows per ONNX generation call: bounds the KV cache whatever the number of prompts. */
const CHUNK = 32;

/** The tokenizer's bytes: two checkpoints share token ids (and so a KL) only when these match. */
export const tokenizerBytes = (dir: string): string => readFileSync(path.join(dir, "tokenizer.json"), "utf8");

export async function sampleCheckpoint(dir: string, prompts: readonly string[], o: SampleOptions, between: () => void = () => {}): Promise<SampleSet> {
  const model = await openOnnxCheckpoint(dir, { intraOpNumThreads: 1 });
  try {
    const keep = Math.max(1, contextLength(model.config) - o.maxNewTokens);
    const ids = prompts.flatMap((p) => {
      const row = keepPromptEnd(model.tokenizer, encodePrompt(model.tokenizer, p), keep);
      return Array.from({ length: o.samplesPerPrompt }, () => row);
    });
    const generate = async (temperature: number): Promise<Generation[]> => {
      const out: Generation[] = [];
      for (let i = 0; i < ids.length; i += CHUNK) {
        between();
        out.push(...(await generateFromIds(model.lm, ids.slice(i, i + CHUNK), model.tokenizer, { temperature, maxNewTokens: o.maxNewTokens, seed: o.seed + i })));
      }
      return out;
    };
    const compared = await generate(o.temperature);
    const forKl = o.temperature === 1 ? compared : await generate(1);
    return {
      texts: compared.map((g) => g.text),
      klRows: forKl.map((g, i) => ({ promptIds: ids[i]!, completionIds: g.tokenIds, logp: g.logprobs.reduce((s, x) => s + x, 0) })),
    };
  } finally {
    await model.lm.release();
  }
}

/** An external policy's samples: draw j of prompt i uses seed + i·k + j; prompts go out as many at a time as the endpoint takes. */
export async function sampleEndpoint(db: Db, row: PolicyRow, prompts: readonly PromptToAnswer[], o: SampleOptions, between: () => void = () => {}): Promise<SampleSet> {
  const [sampler] = await openSamplers(db, [row]);
  const k = o.samplesPerPrompt;
  const texts: string[] = [];
  const batch = sampler!.parallelism * 2;
  for (let i = 0; i < prompts.length; i += batch) {
    between();
    const answers = await Promise.all(prompts.slice(i, i + batch).map((prompt, b) =>
      sampler!.draw(prompt, Array.from({ length: k }, (_, j) => ({ temperature: o.temperature, maxNewTokens: o.maxNewTokens, seed: o.seed + (i + b) * k + j })))));
    texts.push(...answers.flat().map((s) => s.text));
  }
  return { texts, klRows: [] };
}
