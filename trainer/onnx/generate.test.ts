import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGpt2Graph } from "../models/gpt2";
import { exportModel } from "./export";
import { causalLmShape, OnnxCausalLm } from "./forward";
import { generateFromIds } from "./generate";
import { sequenceLogprobs } from "./logprobs";
import { randomWeights, tfjsOutputs, TINY_GPT2 } from "./testing";

const vocab = TINY_GPT2.vocab_size;
const weights = randomWeights(buildGpt2Graph(TINY_GPT2), 9);
const prompts = [[3, 1, 4, 1, 5], [9, 2], [6]];
const letters = (ids: number[]) => ids.map((i) => String.fromCharCode(97 + i)).join("");
// A codec whose eos id the tiny model can never sample, unless a test picks one.
const codec = (eosId = -1) => ({ decode: letters, eosId });
const argmax = (row: ArrayLike<number>) => Array.from(row).reduce((best, v, i, all) => (v > all[best] ? i : best), 0);
let lm: OnnxCausalLm;

beforeAll(async () => {
  lm = await OnnxCausalLm.create(exportModel(TINY_GPT2, (n) => weights[n]), causalLmShape(TINY_GPT2), { intraOpNumThreads: 1 });
});
afterAll(() => lm.release());

/** Greedy decoding by re-running the tfjs graph on the whole unpadded sequence each step. */
async function tfjsGreedy(prompt: number[], steps: number): Promise<number[]> {
  const graph = buildGpt2Graph(TINY_GPT2);
  const ids = [...prompt];
  for (let s = 0; s < steps; s++) {
    const n = ids.length;
    const { logits } = await tfjsOutputs(graph, weights, {
      input_ids: { data: ids, shape: [1, n] },
      attention_mask: { data: ids.map(() => 1), shape: [1, n] },
      position_ids: { data: ids.map((_, t) => t), shape: [1, n] },
    }, ["logits"]);
    ids.push(argmax(logits.subarray((n - 1) * vocab, n * vocab)));
  }
  return ids.slice(prompt.length);
}

describe("ONNX generation", () => {
  it("greedy with the KV cache equals greedy without it and tfjs's greedy, batched with left padding", async () => {
    const cached = await generateFromIds(lm, prompts, codec(), { maxNewTokens: 8, temperature: 0 });
    const uncached = await generateFromIds(lm, prompts, codec(), { maxNewTokens: 8, temperature: 0, useCache: false });
    for (const [i, prompt] of prompts.entries()) {
      expect(cached[i].tokenIds).toHaveLength(8);
      expect(cached[i].tokenIds).toEqual(uncached[i].tokenIds);
      expect(cached[i].tokenIds).toEqual(await tfjsGreedy(prompt, 8));
    }
  });

  it("returned log-probs are the model's own log-probs of the generated tokens", async () => {
    const [gen] = await generateFromIds(lm, [prompts[0]], codec(), { maxNewTokens: 6, temperature: 1.3, topK: 5, seed: 3 });
    const [lps] = await sequenceLogprobs(lm, [[...prompts[0], ...gen.tokenIds]]);
    gen.logprobs.forEach((lp, t) => expect(Math.abs(lp - (lps[prompts[0].length + t] as number))).toBeLessThan(1e-4));
  });

  it("a seed reproduces a sampled batch exactly, with and without the cache", async () => {
    const options = { maxNewTokens: 10, temperature: 1, topP: 0.9, seed: 11 };
    const a = await generateFromIds(lm, prompts, codec(), options);
    const b = await generateFromIds(lm, prompts, codec(), { ...options, useCache: false });
    expect(a.map((g) => g.tokenIds)).toEqual(b.map((g) => g.tokenIds));
    const c = await generateFromIds(lm, prompts, codec(), { ...options, seed: 12 });
    expect(c.map((g) => g.tokenIds)).not.toEqual(a.map((g) => g.tokenIds));
  });

  it("stop strings cut the text; EOS ends a row (not recorded); max tokens and the context bound the rest", async () => {
    // Seeded sampling gives a varied sequence (random tiny models' greedy output mostly repeats).
    const base = { maxNewTokens: 8, temperature: 1, seed: 11 };
    const [free] = await generateFromIds(lm, [prompts[1]], codec(), base);
    expect(free.text).toBe(letters(free.tokenIds));
    const stop = letters(free.tokenIds.slice(3, 5));
    const [stopped] = await generateFromIds(lm, [prompts[1]], codec(), { ...base, stop: ["zz", stop] });
    expect(stopped.finishReason).toBe("stop");
    expect(stopped.text).toBe(free.text.slice(0, free.text.indexOf(stop)));
    const eos = free.tokenIds[4];
    const [ended] = await generateFromIds(lm, [prompts[1]], codec(eos), base);
    expect(ended.finishReason).toBe("eos");
    expect(ended.tokenIds).toEqual(free.tokenIds.slice(0, free.tokenIds.indexOf(eos)));
    expect(ended.logprobs).toEqual(free.logprobs.slice(0, free.tokenIds.indexOf(eos)));
    expect(ended.text).toBe(letters(ended.tokenIds));
    const long = new Array(TINY_GPT2.n_positions - 2).fill(1);
    const [bounded] = await generateFromIds(lm, [long], codec(), { maxNewTokens: 8, temperature: 0 });
    expect(bounded).toMatchObject({ finishReason: "length" });
    expect(bounded.tokenIds).toHaveLength(2);
    await expect(generateFromIds(lm, [[...long, 1, 1, 1]], codec(), { maxNewTokens: 1 })).rejects.toThrow(/longer than the model's context/);
  });
});
