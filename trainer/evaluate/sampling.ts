// Samples of one checkpoint on a set of prompts (ONNX Runtime), with what the KL estimate needs:
// the token ids and the policy's own log-probs of temperature-1 samples.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Generation } from "../generate";
import { openOnnxCheckpoint } from "../onnx/checkpoint";
import { generateFromIds } from "../onnx/generate";

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
    const keep = Math.max(1, model.config.n_positions - o.maxNewTokens);
    const ids = prompts.flatMap((p) => {
      const encoded = model.tokenizer.encode(p);
      const row = (encoded.length ? encoded : [model.tokenizer.eosId]).slice(-keep); // the prompt keeps its end
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
