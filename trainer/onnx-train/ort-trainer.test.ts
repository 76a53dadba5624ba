import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import type { Graph } from "../graph/ir";
import { buildGpt2Graph } from "../models/gpt2";
import { buildLlamaGraph } from "../models/llama";
import { TINY_LLAMA, TINY_QWEN2 } from "../models/llama-fixtures";
import { randomWeights, TINY_GPT2 } from "../onnx/testing";
import { trainStep } from "../train/lm-step";
import { AdamW, type AdamWOptions } from "../train/optimizer";
import type { StepMemoryMode } from "./memory-mode";
import { OrtTrainer } from "./ort-trainer";
import { comparable, expectSameTraining, lmBatchAt, maxRelativeError } from "./testing";

const ADAMW: AdamWOptions = { beta1: 0.9, beta2: 0.95, weightDecay: 0.1, gradClip: 1 };
const STEPS = 5;
const BATCH = 2;
const SEQ = 6;

const batchAt = (step: number, vocab: number) => lmBatchAt(step, vocab, BATCH, SEQ);
const lrAt = (step: number) => 3e-3 * (step + 1);

/** The tfjs path: trainStep (tfjs autodiff + the AdamW class). */
function tfjsRun(graph: Graph, weights: Record<string, Float32Array>, vocab: number) {
  const params = Object.fromEntries(graph.params.map((p) => [p.name, tf.variable(tf.tensor(weights[p.name], p.shape))]));
  const optimizer = new AdamW(ADAMW);
  const losses: number[] = [];
  const norms: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const r = trainStep({ graph, params }, optimizer, batchAt(step, vocab), lrAt(step));
    losses.push(r.loss);
    norms.push(r.gradNorm);
  }
  const final = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.dataSync() as Float32Array]));
  const state = optimizer.stateToRaw();
  optimizer.dispose();
  tf.dispose(Object.values(params));
  return { losses, norms, final, state };
}

/** The lean step's AdamW chunk here: small and odd, so chunks end inside parameters and each group ends in a short one. */
const LEAN_CHUNK = 997;

async function ortRun(graph: Graph, weights: Record<string, Float32Array>, vocab: number, memory: StepMemoryMode) {
  const trainer = await OrtTrainer.create({ graph, weights, adamw: ADAMW, batch: BATCH, seq: SEQ, threads: 1, memory, leanChunkSize: LEAN_CHUNK });
  expect(trainer.memoryMode).toBe(memory);
  const losses: number[] = [];
  const norms: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const r = await trainer.step(batchAt(step, vocab), lrAt(step));
    losses.push(r.loss);
    norms.push(r.gradNorm);
  }
  const final = Object.fromEntries(Object.entries(trainer.weights()).map(([k, t]) => [k, t.data]));
  const state = trainer.optimizerState();
  await trainer.release();
  return { losses, norms, final, state };
}

/**
 * Adam divides each gradient entry by its own RMS, so an entry whose gradient is near zero turns
 * the engines' fp32 rounding differences (~1e-7 of the gradient's scale) into steps of up to ±lr:
 * the tolerance on weights after 5 steps is 1e-4 (losses and gradient norms agree to 1e-5). With
 * rotary positions, a key bias reaches the scores only through the position-dependent part of
 * q·R(j−i)·b, a small gradient whose noise Adam amplifies most (Qwen2: measured 2.8e-4 to 1e-3,
 * depending on the order of AdamW's fp32 operations; bound 5e-3, a few percent of how far it
 * moved). GPT-2's key bias: see `comparable`.
 */
describe("OrtTrainer against the tfjs training step", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  const MODELS: [string, Graph, number][] = [
    ["GPT-2", buildGpt2Graph(TINY_GPT2), TINY_GPT2.vocab_size],
    ["Llama (grouped-query attention, untied)", buildLlamaGraph(TINY_LLAMA), TINY_LLAMA.vocab_size],
    ["Qwen2 (q/k/v biases, tied)", buildLlamaGraph(TINY_QWEN2), TINY_QWEN2.vocab_size],
  ];
  for (const [label, graph, vocab] of MODELS) {
    it(`a tiny ${label} trained ${STEPS} steps on both engines from the same weights and batches, ORT's fused step and its memory-lean step: losses, grad norms, weights and AdamW moments agree (max relative error per tensor < 1e-4; Qwen2's key biases < 5e-3)`, async () => {
      const weights = randomWeights(graph, 3, 0.3);
      const want = tfjsRun(graph, weights, vocab);
      for (const memory of ["fused", "lean"] as const) {
        const got = await ortRun(graph, weights, vocab, memory);
        expectSameTraining(graph, weights, got, want, (name) => (name.endsWith("k_proj.bias") ? 5e-3 : 1e-4));
        expect(got.state.step).toBe(want.state.step);
        for (const [name, t] of Object.entries(want.state.tensors)) expect(maxRelativeError(comparable(name, got.state.tensors[name].data), comparable(name, t.data)), name).toBeLessThan(1e-4);
      }
    }, 60_000);
  }
});
