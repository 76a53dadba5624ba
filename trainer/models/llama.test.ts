import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { executeGraph } from "../graph/tfjs-exec";
import { randomWeights } from "../onnx/testing";
import type { PlainParams } from "./gpt2-reference";
import { buildLlamaGraph, rotaryInvFreq, type LlamaConfig } from "./llama";
import { TINY_LLAMA, TINY_QWEN2 } from "./llama-fixtures";
import { llamaForwardRef, ropeRef, rmsNormRef, siluRef } from "./llama-reference";
import { countParams } from "./params";

const llama: LlamaConfig = { ...TINY_LLAMA, vocab_size: 19 };
const qwen2: LlamaConfig = { ...TINY_QWEN2, vocab_size: 19 };

function params(config: LlamaConfig, seed: number): { tensors: Record<string, tf.Tensor>; plain: PlainParams } {
  const graph = buildLlamaGraph(config);
  const weights = randomWeights(graph, seed, 0.3);
  const tensors = Object.fromEntries(graph.params.map((p) => [p.name, tf.tensor(weights[p.name], p.shape)]));
  const plain = Object.fromEntries(graph.params.map((p) => [p.name, { data: weights[p.name], shape: p.shape }]));
  return { tensors, plain };
}

type Out = Record<string, number[][][]>;

function run(config: LlamaConfig, values: Record<string, tf.Tensor>, ids: number[][], o: { mask?: number[][]; pos?: number[][]; kvCache?: boolean } = {}): Out {
  return tf.tidy(() => {
    const graph = buildLlamaGraph(config, { kvCache: o.kvCache, hiddenState: true });
    const out = executeGraph(graph, {
      ...values,
      input_ids: tf.tensor2d(ids, undefined, "int32"),
      attention_mask: tf.tensor2d(o.mask ?? ids.map((r) => r.map(() => 1)), undefined, "int32"),
      position_ids: tf.tensor2d(o.pos ?? ids.map((r) => r.map((_, i) => i)), undefined, "int32"),
    });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.arraySync()])) as Out;
  });
}

function expectLogitsClose(got: number[][], want: number[][], digits: number) {
  expect(got.length).toBe(want.length);
  got.forEach((row, t) => row.forEach((v, i) => expect(v).toBeCloseTo(want[t][i], digits)));
}

/** past_key_values of `layers` layers with no positions yet. */
function emptyPast(config: LlamaConfig): Record<string, tf.Tensor> {
  const d = config.hidden_size / config.num_attention_heads;
  return Object.fromEntries(Array.from({ length: config.num_hidden_layers }, (_, i) => ["key", "value"].map((kind) =>
    [`past_key_values.${i}.${kind}`, tf.zeros([1, config.num_key_value_heads, 0, d])])).flat());
}

describe("llama graph", () => {
  beforeAll(async () => { await initBackend("cpu"); });

  it("references agree with hand-computed RMSNorm, SiLU and RoPE values", () => {
    expect(rmsNormRef([3, 4], [1, 2], 0)).toEqual([3 / Math.sqrt(12.5), 8 / Math.sqrt(12.5)].map((v) => expect.closeTo(v, 12)));
    expect(siluRef(1)).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    // d = 2: one frequency (1); rotating [1, 0] by angle 1 gives [cos 1, sin 1].
    expect(ropeRef([1, 0], 1, 10000)).toEqual([Math.cos(1), Math.sin(1)].map((v) => expect.closeTo(v, 12)));
    expect(rotaryInvFreq({ ...llama, hidden_size: 16, num_attention_heads: 4 })).toEqual([1, 0.01].map((v) => expect.closeTo(v, 7)));
  });

  it("llama3 rope scaling keeps short wavelengths, slows long ones by the factor and interpolates between (transformers' rule)", () => {
    const scaling = { rope_type: "llama3", factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } as const;
    const config = { ...llama, hidden_size: 32, num_attention_heads: 4, rope_theta: 500000, rope_scaling: scaling }; // head_dim 8
    const base = [0, 1, 2, 3].map((j) => 500000 ** (-j / 4)); // wavelengths 6.3, 167, 4443, 118148
    const smooth = (8192 / ((2 * Math.PI) / base[2]) - 1) / 3;
    const want = [base[0], base[1], (1 - smooth) * (base[2] / 32) + smooth * base[2], base[3] / 32];
    rotaryInvFreq(config).forEach((f, j) => expect(f / want[j]).toBeCloseTo(1, 6));
  });

  it("the rotary tables stay small at a 131072-token context", () => {
    const graph = buildLlamaGraph({ ...llama, max_position_embeddings: 131072 });
    const constants = graph.nodes.reduce((n, node) => n + (node.op === "constant" ? node.value.length : 0), 0);
    expect(constants).toBeLessThan(4 * (512 + 256) * 4 + 100); // cos/sin × (low block 512 + 256 high rows) × 4 frequencies
  });

  it("has Hugging Face names and nn.Linear layouts: Llama untied without biases, Qwen2 tied with q/k/v biases", () => {
    const shapes = (c: LlamaConfig) => Object.fromEntries(buildLlamaGraph(c).params.map((p) => [p.name, p.shape]));
    const l = shapes(llama);
    expect(l["model.embed_tokens.weight"]).toEqual([19, 32]);
    expect(l["model.layers.1.self_attn.q_proj.weight"]).toEqual([32, 32]);
    expect(l["model.layers.1.self_attn.k_proj.weight"]).toEqual([16, 32]); // 2 KV heads of 8
    expect(l["model.layers.0.mlp.down_proj.weight"]).toEqual([32, 48]);
    expect(l["lm_head.weight"]).toEqual([19, 32]);
    expect(l["model.layers.0.self_attn.q_proj.bias"]).toBeUndefined();
    expect(Object.keys(l)).toHaveLength(1 + 2 * 9 + 1 + 1);
    const q = shapes(qwen2);
    expect(q["lm_head.weight"]).toBeUndefined();
    expect(q["model.layers.0.self_attn.k_proj.bias"]).toEqual([16]);
    expect(q["model.layers.0.self_attn.o_proj.bias"]).toBeUndefined();
    expect(Object.keys(q)).toHaveLength(1 + 2 * 12 + 1);
    expect(countParams(buildLlamaGraph(llama))).toBe(2 * 19 * 32 + 32 + 2 * (2 * 32 + 2 * 32 * 32 + 2 * 16 * 32 + 3 * 32 * 48));
  });

  it.each([["llama", llama], ["qwen2", qwen2], ["multi-query llama with head_dim", { ...llama, num_key_value_heads: 1, head_dim: 4 }]] as const)("%s logits match the naive scalar-loop reference", (_name, config) => {
    const { tensors, plain } = params(config, 3);
    const ids = [3, 1, 4, 1, 5, 9, 2, 6];
    expectLogitsClose(run(config, tensors, [ids]).logits[0], llamaForwardRef(config, plain, ids), 4);
    tf.dispose(Object.values(tensors));
  });

  it("positions past the rotary table's low block (hi·B + lo angle sums) match the reference", () => {
    const config = { ...qwen2, max_position_embeddings: 4096 }; // low block 256
    const { tensors, plain } = params(config, 5);
    const ids = [7, 2, 11];
    const pos = [255, 256, 1000];
    expectLogitsClose(run(config, tensors, [ids], { pos: [pos] }).logits[0], llamaForwardRef(config, plain, ids, pos), 4);
    tf.dispose(Object.values(tensors));
  });

  it("left padding with mask and shifted positions gives the unpadded logits", () => {
    const { tensors } = params(llama, 4);
    const plainOut = run(llama, tensors, [[5, 6, 7]]).logits[0];
    const padded = run(llama, tensors, [[0, 0, 5, 6, 7]], { mask: [[0, 0, 1, 1, 1]], pos: [[0, 0, 0, 1, 2]] }).logits[0];
    expectLogitsClose(padded.slice(2), plainOut, 5);
    tf.dispose(Object.values(tensors));
  });

  it.each([["llama", llama], ["qwen2", qwen2]] as const)("%s: the KV cache holds num_key_value_heads heads, and decoding with it reproduces the full pass", (_name, config) => {
    const { tensors } = params(config, 6);
    const full = run(config, { ...tensors, ...emptyPast(config) }, [[1, 2, 3, 4, 5]], { kvCache: true });
    const first = run(config, { ...tensors, ...emptyPast(config) }, [[1, 2, 3]], { kvCache: true });
    expect(tf.tensor(first["present.0.key"]).shape).toEqual([1, 2, 3, 8]);
    let past = Object.fromEntries(Object.entries(first).filter(([k]) => k.startsWith("present")).map(([k, v]) => [k.replace("present", "past_key_values"), tf.tensor(v)]));
    for (const [t, id] of [[3, 4], [4, 5]]) {
      const step = run(config, { ...tensors, ...past }, [[id]], { mask: [Array(t + 1).fill(1)], pos: [[t]], kvCache: true });
      expectLogitsClose(step.logits[0], [full.logits[0][t]], 5);
      past = Object.fromEntries(Object.entries(step).filter(([k]) => k.startsWith("present")).map(([k, v]) => [k.replace("present", "past_key_values"), tf.tensor(v)]));
    }
    expect(full.last_hidden_state[0][0]).toHaveLength(32);
    tf.dispose(Object.values(tensors));
  });
});
