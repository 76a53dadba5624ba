import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { executeGraph } from "../graph/tfjs-exec";
import { buildGpt2Graph, type Gpt2Config } from "./gpt2";
import { attentionRef, geluTanhRef, gpt2ForwardRef, layerNormRef, type PlainParams } from "./gpt2-reference";
import { initParams } from "./params";

const config: Gpt2Config = {
  model_type: "gpt2", n_layer: 2, n_head: 2, n_embd: 8, n_positions: 16, vocab_size: 11,
  layer_norm_epsilon: 1e-5, activation_function: "gelu_new", initializer_range: 0.5,
};

function plain(params: Record<string, tf.Tensor>): PlainParams {
  return Object.fromEntries(Object.entries(params).map(([k, t]) => [k, { data: t.dataSync() as Float32Array, shape: t.shape }]));
}

function run(graph: ReturnType<typeof buildGpt2Graph>, params: Record<string, tf.Tensor>, ids: number[][], mask?: number[][], pos?: number[][], extra: Record<string, tf.Tensor> = {}) {
  return tf.tidy(() => {
    const attn = mask ?? ids.map((r) => r.map(() => 1));
    const positions = pos ?? ids.map((r) => r.map((_, i) => i));
    const out = executeGraph(graph, {
      ...params, ...extra,
      input_ids: tf.tensor2d(ids, undefined, "int32"),
      attention_mask: tf.tensor2d(attn, undefined, "int32"),
      position_ids: tf.tensor2d(positions, undefined, "int32"),
    });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.arraySync()])) as Record<string, number[][][]>;
  });
}

describe("gpt2 graph", () => {
  beforeAll(async () => { await initBackend("cpu"); });

  it("layer norm, gelu_new and attention references agree with hand-computed values", () => {
    expect(layerNormRef([1, 2, 3], [1, 1, 1], [0, 0, 0], 0)).toEqual([-Math.sqrt(1.5), 0, Math.sqrt(1.5)].map((v) => expect.closeTo(v, 12)));
    expect(geluTanhRef(1)).toBeCloseTo(0.8411919906082768, 12);
    // One head, two positions: position 0 attends only to itself; position 1 averages equal scores.
    const out = attentionRef([[0], [0]], [[1], [1]], [[2], [4]], 1, [true, true]);
    expect(out).toEqual([[2], [3]]);
  });

  it("has the Hugging Face parameter names and Conv1D layouts", () => {
    const graph = buildGpt2Graph(config);
    const names = Object.fromEntries(graph.params.map((p) => [p.name, p.shape]));
    expect(names["transformer.wte.weight"]).toEqual([11, 8]);
    expect(names["transformer.h.1.attn.c_attn.weight"]).toEqual([8, 24]);
    expect(names["transformer.h.0.mlp.c_proj.weight"]).toEqual([32, 8]);
    expect(graph.params).toHaveLength(2 + 12 * 2 + 2);
  });

  it("logits match the naive scalar-loop GPT-2", () => {
    const graph = buildGpt2Graph(config);
    const params = initParams(graph, 3);
    const ids = [3, 1, 4, 1, 5, 9, 2];
    const got = run(graph, params, [ids]).logits[0];
    const want = gpt2ForwardRef(config, plain(params), ids);
    for (let t = 0; t < ids.length; t++) for (let v = 0; v < 11; v++) expect(got[t][v]).toBeCloseTo(want[t][v], 4);
  });

  it("left padding with mask and shifted positions gives the unpadded logits", () => {
    const graph = buildGpt2Graph(config);
    const params = initParams(graph, 4);
    const plainOut = run(graph, params, [[5, 6, 7]]).logits[0];
    const padded = run(graph, params, [[0, 0, 5, 6, 7]], [[0, 0, 1, 1, 1]], [[0, 0, 0, 1, 2]]).logits[0];
    for (let t = 0; t < 3; t++) for (let v = 0; v < 11; v++) expect(padded[t + 2][v]).toBeCloseTo(plainOut[t][v], 5);
  });

  it("the KV-cache graph fed its own presents reproduces the full-sequence logits", () => {
    const graph = buildGpt2Graph(config, { kvCache: true });
    const params = initParams(graph, 5);
    const empty = Object.fromEntries(Array.from({ length: 2 }, (_, i) => [
      [`past_key_values.${i}.key`, tf.zeros([1, 2, 0, 4])], [`past_key_values.${i}.value`, tf.zeros([1, 2, 0, 4])],
    ]).flat());
    const full = run(graph, params, [[1, 2, 3, 4]], undefined, undefined, empty);
    const first = run(graph, params, [[1, 2, 3]], undefined, undefined, empty);
    const past = Object.fromEntries(Object.entries(first).filter(([k]) => k.startsWith("present"))
      .map(([k, v]) => [k.replace("present", "past_key_values"), tf.tensor(v)]));
    const step = run(graph, params, [[4]], [[1, 1, 1, 1]], [[3]], past);
    for (let v = 0; v < 11; v++) expect(step.logits[0][0][v]).toBeCloseTo(full.logits[0][3][v], 5);
    expect(tf.tensor(step["present.1.key"]).shape).toEqual([1, 2, 4, 4]);
  });
});
