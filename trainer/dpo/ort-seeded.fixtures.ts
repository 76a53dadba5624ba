// The engine-parity check every loss trained through ./ort-seeded.ts gets: a few AdamW steps of
// the same batches from the same weights on ONNX Runtime (the run's SeededRows, padding rows and
// all) and on tfjs (the objective's own batch function), compared step by step. Pairs, KTO and
// rankings all use it.
import type * as tf from "@tensorflow/tfjs-core";
import { expect } from "vitest";
import type { Graph } from "../graph/ir";
import { expectSameTraining, tfjsTrace, type TrainingTrace } from "../onnx-train/testing";
import { OrtVjpTrainer } from "../onnx-train/vjp-trainer";
import { randomWeights } from "../onnx/testing";
import type { BatchOutput } from "../policy/batch-output";
import type { PolicyForward, TokenizedCompletion } from "../policy/sequences";
import type { AdamWOptions } from "../train/optimizer";
import { seedLoss, type SeededRows } from "./ort-seeded";

/** The parity tests' optimizer and schedule: 3 AdamW steps with clipping and decay, a rising learning rate. */
const PARITY_TRAINING = { adamw: { beta1: 0.9, beta2: 0.999, weightDecay: 0.1, gradClip: 1 }, steps: 3, lrAt: (step: number) => 5e-3 * (step + 1) };

/** A prompt + completion row with its ids moved by the step (prompt +step, completion +3·step, mod vocab): each step trains on other tokens. */
export function shiftedRow(r: TokenizedCompletion, step: number, vocab: number): TokenizedCompletion {
  return { promptIds: r.promptIds.map((t) => (t + step) % vocab), completionIds: r.completionIds.map((t) => (t + 3 * step) % vocab) };
}

export interface SeededParity<E> {
  graph: Graph;
  /** The run's rows at its step length `seq`. */
  rows: SeededRows<E>;
  seq: number;
  batchAt: (step: number) => E[];
  /** The tfjs objective's batch (loss and metrics) on a policy forward over `params`. */
  tfjsBatch: (policy: PolicyForward, batch: E[]) => BatchOutput;
}

type Training = typeof PARITY_TRAINING & { adamw: AdamWOptions };

type Trace = TrainingTrace & { metrics: BatchOutput["metrics"][] };

async function ortTrace<E>(p: SeededParity<E> & Training, weights: Record<string, Float32Array>): Promise<Trace> {
  const trainer = await OrtVjpTrainer.create({ graph: p.graph, weights, adamw: p.adamw, batch: p.rows.rows, seq: p.seq, threads: 1 });
  const trace: Trace = { losses: [], norms: [], final: {}, metrics: [] };
  for (let step = 0; step < p.steps; step++) {
    const batch = p.batchAt(step);
    const { loss, last } = seedLoss(p.rows.loss, batch);
    const r = await trainer.step(p.rows.layout(batch), loss, p.lrAt(step));
    trace.losses.push(r.loss);
    trace.norms.push(r.gradNorm);
    trace.metrics.push(last());
  }
  trace.final = Object.fromEntries(Object.entries(trainer.weights()).map(([k, t]) => [k, t.data]));
  await trainer.release();
  return trace;
}

/** Losses and grad norms (< 1e-5), every metric (< 1e-5, relative above 1) and weights (< 1e-4 relative) agree. */
export async function expectSeededLikeTfjs<E>(parity: SeededParity<E>): Promise<void> {
  const p = { ...PARITY_TRAINING, ...parity };
  const weights = randomWeights(p.graph, 5, 0.3);
  const metrics: BatchOutput["metrics"][] = [];
  const want = tfjsTrace(p.graph, weights, p, (params, step) => {
    const out = p.tfjsBatch({ graph: p.graph, params: () => params as Record<string, tf.Tensor>, padId: 0 }, p.batchAt(step));
    metrics.push(out.metrics);
    return out.loss;
  });
  const got = await ortTrace(p, weights);
  expectSameTraining(p.graph, weights, got, want, () => 1e-4);
  got.metrics.forEach((m, step) => {
    for (const [name, v] of Object.entries(metrics[step]!)) expect(Math.abs(m[name]! - v), `${name} at step ${step}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(v)));
  });
}
