import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { PAIR_LOSSES, type PreferenceLossConfig } from "../dpo/losses";
import type { Graph } from "../graph/ir";
import { executeGraph } from "../graph/tfjs-exec";
import { tokenLogprobs } from "../losses";
import { buildGpt2Graph } from "../models/gpt2";
import { buildLlamaGraph } from "../models/llama";
import { TINY_LLAMA } from "../models/llama-fixtures";
import { randomWeights, TINY_GPT2 } from "../onnx/testing";
import { denseInputs, paramGrads } from "../train/lm-step";
import { AdamW, type AdamWOptions } from "../train/optimizer";
import { expectSameTraining } from "./testing";
import { OrtVjpTrainer, type SequenceBatch, type VjpPlan } from "./vjp-trainer";

const ADAMW: AdamWOptions = { beta1: 0.9, beta2: 0.95, weightDecay: 0.1, gradClip: 1 };
const DPO: PreferenceLossConfig = { beta: 0.5, labelSmoothing: 0, simpoGamma: 0.5 };
const STEPS = 3;
const PAIRS = 2;
const SEQ = 6;
const lrAt = (step: number) => 5e-3 * (step + 1);

/** Rows 0..PAIRS-1 are chosen answers, the next PAIRS rejected ones; a 2-token prompt is masked out. */
function batchAt(step: number, vocab: number): SequenceBatch {
  const rows = Array.from({ length: 2 * PAIRS }, (_, b) => Array.from({ length: SEQ + 1 }, (_, t) => (step * 3 + b * 5 + t * 7 + ((b * t) % 3)) % vocab));
  return { inputs: rows.map((r) => r.slice(0, SEQ)), targets: rows.map((r) => r.slice(1)), mask: rows.map(() => Array.from({ length: SEQ }, (_, t) => (t >= 2 ? 1 : 0))) };
}
const REF = [-9.5, -10.25, -11, -10.5]; // reference log-probs: constants to the loss

/** The unchanged tfjs DPO (sigmoid) loss of the batch's sequence log-probs. */
function dpoLoss(logps: tf.Tensor1D): tf.Scalar {
  const tokens = tf.fill([PAIRS], SEQ - 2) as tf.Tensor1D;
  const out = PAIR_LOSSES.sigmoid({
    chosen: logps.slice(0, PAIRS), rejected: logps.slice(PAIRS, PAIRS),
    refChosen: tf.tensor1d(REF.slice(0, PAIRS)), refRejected: tf.tensor1d(REF.slice(PAIRS)),
    chosenTokens: tokens, rejectedTokens: tokens,
  }, DPO);
  return tf.mean(out.losses) as tf.Scalar;
}

/** tfjs only: the same loss on tfjs's own forward, tf.variableGrads, the AdamW class. */
function tfjsRun(graph: Graph, weights: Record<string, Float32Array>, vocab: number) {
  const params = Object.fromEntries(graph.params.map((p) => [p.name, tf.variable(tf.tensor(weights[p.name], p.shape))]));
  const optimizer = new AdamW(ADAMW);
  const losses: number[] = [];
  const norms: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const b = batchAt(step, vocab);
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = executeGraph(graph, { ...params, ...denseInputs(b.inputs) }, ["logits"]);
        const perToken = tf.mul(tokenLogprobs(logits, tf.tensor2d(b.targets, undefined, "int32")), tf.tensor2d(b.mask));
        return dpoLoss(tf.sum(perToken, 1) as tf.Tensor1D);
      }, Object.values(params));
      losses.push(value.dataSync()[0]);
      norms.push(optimizer.step(params, paramGrads(params, grads), lrAt(step)));
    });
  }
  const final = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.dataSync() as Float32Array]));
  optimizer.dispose();
  tf.dispose(Object.values(params));
  return { losses, norms, final };
}

async function ortRun(graph: Graph, weights: Record<string, Float32Array>, vocab: number, plan?: VjpPlan) {
  const trainer = await OrtVjpTrainer.create({ graph, weights, adamw: ADAMW, batch: 2 * PAIRS, seq: SEQ, threads: 1, plan });
  if (plan) expect(trainer.stepGraph).toBe(plan.step);
  const losses: number[] = [];
  const norms: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const r = await trainer.step(batchAt(step, vocab), dpoLoss, lrAt(step));
    losses.push(r.loss);
    norms.push(r.gradNorm);
  }
  const final = Object.fromEntries(Object.entries(trainer.weights()).map(([k, t]) => [k, t.data]));
  await trainer.release();
  return { losses, norms, final };
}

describe("a DPO step through the VJP path: tfjs loss on ORT's sequence log-probs → seeds → ORT backward + AdamW", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  const MODELS: [string, Graph, number][] = [
    ["GPT-2", buildGpt2Graph(TINY_GPT2), TINY_GPT2.vocab_size],
    ["Llama", buildLlamaGraph(TINY_LLAMA), TINY_LLAMA.vocab_size],
  ];
  for (const [label, graph, vocab] of MODELS) {
    it(`${label}, ${STEPS} steps: losses and grad norms (< 1e-5) and weights (< 1e-4 relative; GPT-2's zero-gradient key bias aside) equal the tfjs-only step`, async () => {
      const weights = randomWeights(graph, 5, 0.3);
      const want = tfjsRun(graph, weights, vocab);
      const got = await ortRun(graph, weights, vocab);
      expectSameTraining(graph, weights, got, want, () => 1e-4);
    }, 60_000);
  }

  it("a trainer given the graphs the engine choice built (its check that ORT can train) runs those, not a second build, and trains identically", async () => {
    const graph = buildGpt2Graph(TINY_GPT2);
    const weights = randomWeights(graph, 5, 0.3);
    const plan = OrtVjpTrainer.plan({ graph, adamw: ADAMW, batch: 2 * PAIRS, seq: SEQ });
    const fromPlan = await ortRun(graph, weights, TINY_GPT2.vocab_size, plan);
    const fresh = await ortRun(graph, weights, TINY_GPT2.vocab_size);
    expect(fromPlan).toEqual(fresh);
  }, 60_000);

  it("a loss that is not finite is reported without an update, as the tfjs loop's step does: weights and step count stay", async () => {
    const graph = buildGpt2Graph(TINY_GPT2);
    const weights = randomWeights(graph, 5, 0.3);
    const trainer = await OrtVjpTrainer.create({ graph, weights, adamw: ADAMW, batch: 2 * PAIRS, seq: SEQ, threads: 1 });
    const r = await trainer.step(batchAt(0, TINY_GPT2.vocab_size), (logps) => tf.div(tf.sum(logps), tf.scalar(0)) as tf.Scalar, 1e-2);
    expect(Number.isFinite(r.loss)).toBe(false);
    expect(r.gradNorm).toBeNaN();
    expect(trainer.t).toBe(0);
    for (const [name, t] of Object.entries(trainer.weights())) expect(t.data, name).toEqual(weights[name]);
    await trainer.release();
  }, 60_000);
});
