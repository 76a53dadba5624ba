// Llama-family exports on ONNX Runtime: the exported graph against tfjs's execution of the same
// IR, the KV cache in transformers.js's layout (num_key_value_heads heads), incremental decoding
// against the full pass, and greedy generation against tfjs's greedy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLlamaGraph, type LlamaConfig } from "../models/llama";
import { TINY_LLAMA, TINY_QWEN2 } from "../models/llama-fixtures";
import { exportModel } from "./export";
import { causalLmShape, OnnxCausalLm, type KvCache } from "./forward";
import { generateFromIds } from "./generate";
import { maxAbsDiff, randomWeights, tfjsOutputs } from "./testing";

const argmax = (row: ArrayLike<number>) => Array.from(row).reduce((best, v, i, all) => (v > all[best] ? i : best), 0);
const dense = (ids: number[], from = 0) => ({
  input_ids: { data: ids, shape: [1, ids.length] },
  attention_mask: { data: ids.map(() => 1), shape: [1, ids.length] },
  position_ids: { data: ids.map((_, t) => from + t), shape: [1, ids.length] },
});

describe.each([["Llama (untied, no biases, 2 KV heads)", TINY_LLAMA], ["Qwen2 (tied, q/k/v biases, 1 KV head)", { ...TINY_QWEN2, num_key_value_heads: 1 }]] as Array<[string, LlamaConfig]>)("ONNX export of %s", (_name, config) => {
  const weights = randomWeights(buildLlamaGraph(config), 11, 0.3);
  const vocab = config.vocab_size;
  let lm: OnnxCausalLm;
  beforeAll(async () => {
    lm = await OnnxCausalLm.create(exportModel(config, (n) => weights[n]), causalLmShape(config), { intraOpNumThreads: 1 });
  });
  afterAll(() => lm.release());

  it("logits equal tfjs's on the same IR graph; the cache is [batch, num_key_value_heads, total, head_dim]", async () => {
    const ids = [3, 1, 4, 1, 5, 9, 2];
    const want = await tfjsOutputs(buildLlamaGraph(config), weights, dense(ids), ["logits"]);
    const got = await lm.forward({ batch: 1, seq: ids.length, ids, attentionMask: ids.map(() => 1), positionIds: ids.map((_, t) => t) });
    expect(maxAbsDiff(got.logits, want.logits)).toBeLessThan(1e-4);
    expect(got.present?.entries["past_key_values.1.value"].dims).toEqual([1, config.num_key_value_heads, 7, 8]);
  });

  it("decoding token by token with the present cache reproduces the full pass", async () => {
    const ids = [6, 2, 8, 3, 7];
    const full = await lm.forward({ batch: 1, seq: 5, ids, attentionMask: ids.map(() => 1), positionIds: ids.map((_, t) => t) });
    let past: KvCache | undefined;
    for (let t = 0; t < ids.length; t++) {
      const step = await lm.forward({ batch: 1, seq: 1, ids: [ids[t]], attentionMask: Array(t + 1).fill(1), positionIds: [t], past });
      expect(maxAbsDiff(step.logits, full.logits.subarray(t * vocab, (t + 1) * vocab))).toBeLessThan(1e-4);
      past = step.present;
    }
  });

  it("greedy generation with the slot cache equals tfjs's greedy over the whole sequence", async () => {
    const prompt = [5, 3, 9];
    const [gen] = await generateFromIds(lm, [prompt], { decode: () => "", eosId: -1 }, { maxNewTokens: 6, temperature: 0 });
    const graph = buildLlamaGraph(config);
    const ids = [...prompt];
    for (let s = 0; s < 6; s++) {
      const { logits } = await tfjsOutputs(graph, weights, dense(ids), ["logits"]);
      ids.push(argmax(logits.subarray((ids.length - 1) * vocab, ids.length * vocab)));
    }
    expect(gen.tokenIds).toEqual(ids.slice(prompt.length));
  });
});
