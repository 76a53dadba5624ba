// Test helpers of the ONNX Runtime training engine.
import * as tf from "@tensorflow/tfjs-core";
import { expect } from "vitest";
import type { Graph } from "../graph/ir";
import type { LmBatch } from "../train/data";
import { paramGrads } from "../train/lm-step";
import { AdamW, type AdamWOptions } from "../train/optimizer";

/** max |a − b| over max |b|: the error relative to the reference's scale (arrays of one length). */
export function maxRelativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} vs ${want.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * A parameter's entries that say something about two engines' agreement after Adam steps: GPT-2's
 * key bias (the slice [e, 2e) of c_attn.bias) has an analytically zero gradient (a constant added
 * to every score of a row leaves the softmax unchanged), so both engines' values are rounding
 * noise (~1e-9) that Adam's m/sqrt(v) turns into steps of ±lr; that slice is dropped.
 */
export function comparable(name: string, data: Float32Array): Float32Array {
  if (!name.endsWith("attn.c_attn.bias")) return data;
  const e = data.length / 3;
  return Float32Array.from([...data.subarray(0, e), ...data.subarray(2 * e)]);
}

/** What a few training steps on one engine give: per-step losses and pre-clip norms, final weights. */
export interface TrainingTrace {
  losses: number[];
  norms: number[];
  final: Record<string, Float32Array>;
}

/**
 * Asserts two engines trained alike from `initial`: losses and gradient norms within 1e-5
 * relative at every step, every weight tensor within `weightBound(name)` (max relative error,
 * `comparable` entries), and the weights moved far more than that (about Σ lr per entry).
 */
export function expectSameTraining(graph: Graph, initial: Record<string, Float32Array>, got: TrainingTrace, want: TrainingTrace, weightBound: (name: string) => number): void {
  want.losses.forEach((loss, i) => {
    expect(Math.abs(got.losses[i]! - loss) / loss).toBeLessThan(1e-5);
    expect(Math.abs(got.norms[i]! - want.norms[i]!) / want.norms[i]!).toBeLessThan(1e-5);
  });
  const first = graph.params[0]!.name;
  expect(maxRelativeError(want.final[first]!, initial[first]!)).toBeGreaterThan(1e-3);
  for (const p of graph.params) expect(maxRelativeError(comparable(p.name, got.final[p.name]!), comparable(p.name, want.final[p.name]!)), p.name).toBeLessThan(weightBound(p.name));
}

/**
 * The tfjs reference of a parity test: `steps` AdamW steps from `initial` (every parameter of
 * `graph`) on `loss(params, step)`, differentiated by tf.variableGrads.
 */
export function tfjsTrace(graph: Graph, initial: Record<string, Float32Array>, o: { adamw: AdamWOptions; steps: number; lrAt: (step: number) => number }, loss: (params: Record<string, tf.Variable>, step: number) => tf.Scalar): TrainingTrace {
  const params = Object.fromEntries(graph.params.map((p) => [p.name, tf.variable(tf.tensor(initial[p.name]!, p.shape))]));
  const optimizer = new AdamW(o.adamw);
  const trace: TrainingTrace = { losses: [], norms: [], final: {} };
  for (let step = 0; step < o.steps; step++) {
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => loss(params, step), Object.values(params));
      trace.losses.push(value.dataSync()[0]!);
      trace.norms.push(optimizer.step(params, paramGrads(params, grads), o.lrAt(step)));
    });
  }
  trace.final = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.dataSync() as Float32Array]));
  optimizer.dispose();
  tf.dispose(Object.values(params));
  return trace;
}

/** Deterministic next-token batches over the vocabulary, a different one per step. */
export function lmBatchAt(step: number, vocab: number, batch: number, seq: number): LmBatch {
  const rows = Array.from({ length: batch }, (_, b) => Array.from({ length: seq + 1 }, (_, t) => (step * 5 + b * 7 + t * 3 + ((t * t) % 5)) % vocab));
  return { inputs: rows.map((r) => r.slice(0, seq)), targets: rows.map((r) => r.slice(1)) };
}
