// Test fixtures shared by the ONNX tests: seeded random weights large enough that logits are far
// from uniform (GPT-2's 0.02 init would make every comparison near-trivial), and the tfjs
// execution of the same IR graph as the reference.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { executeGraph } from "../graph/tfjs-exec";
import type { Graph } from "../graph/ir";
import { writeCheckpoint } from "../checkpoint/write";
import { buildGpt2Graph, type Gpt2Config } from "../models/gpt2";
import { toTokenizerJson } from "../tokenizer/tokenizer-json";
import { trainBpe } from "../tokenizer/train-bpe";

export const TINY_GPT2: Gpt2Config = {
  model_type: "gpt2",
  n_layer: 2,
  n_head: 2,
  n_embd: 8,
  n_positions: 32,
  vocab_size: 13,
  layer_norm_epsilon: 1e-5,
  activation_function: "gelu_new",
};

/** Linear congruential generator in [-1, 1): reproducible without any library. */
export function seededValues(n: number, seed: number): Float32Array {
  let s = (seed * 2654435761) % 2147483648;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1);
}

/** Every parameter uniform in ±scale (layer-norm scales around 1), keyed by HF name. */
export function randomWeights(graph: Graph, seed = 1, scale = 0.5): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  graph.params.forEach((p, i) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const noise = seededValues(n, seed * 1000 + i).map((v) => v * scale);
    out[p.name] = p.init.kind === "ones" ? noise.map((v) => 1 + v) : noise;
  });
  return out;
}

/** Runs `graph` on tfjs (cpu backend) and returns every requested output as plain arrays. */
export async function tfjsOutputs(graph: Graph, weights: Record<string, Float32Array>, inputs: Record<string, { data: number[]; shape: number[] }>, wanted: string[]): Promise<Record<string, Float32Array>> {
  await tf.setBackend("cpu");
  return tf.tidy(() => {
    const values: Record<string, tf.Tensor> = {};
    for (const p of graph.params) values[p.name] = tf.tensor(weights[p.name], p.shape);
    for (const spec of graph.inputs) {
      const v = inputs[spec.name];
      values[spec.name] = tf.tensor(v.data, v.shape, spec.dtype === "float32" ? "float32" : "int32");
    }
    const out = executeGraph(graph, values, wanted);
    return Object.fromEntries(wanted.map((name) => [name, out[name].dataSync() as Float32Array]));
  });
}

/** Largest absolute elementwise difference (arrays must have the same length). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Writes a 1-block GPT-2 checkpoint with a BPE tokenizer trained on two sentences (vocab ≈ 270). */
export function writeTinyCheckpoint(dir: string, seed = 4): { config: Gpt2Config; weights: Record<string, Float32Array> } {
  const bpe = trainBpe(["a great movie, a great cast", "the plot was thin but the cast was great"], 270);
  const vocab = Object.keys(bpe.vocab).length;
  const config: Gpt2Config = { ...TINY_GPT2, n_layer: 1, n_positions: 24, vocab_size: vocab };
  const graph = buildGpt2Graph(config);
  const weights = randomWeights(graph, seed);
  const raw = Object.fromEntries(graph.params.map((p) => [p.name, { shape: p.shape, data: weights[p.name] }]));
  writeCheckpoint(dir, { config, weights: raw, tokenizerJson: toTokenizerJson(bpe), eosId: bpe.vocab["<|endoftext|>"] });
  return { config, weights };
}
