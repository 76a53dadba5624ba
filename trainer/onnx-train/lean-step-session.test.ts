import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import type { Graph } from "../graph/ir";
import { buildGpt2Graph } from "../models/gpt2";
import { randomWeights, TINY_GPT2 } from "../onnx/testing";
import type { AdamWOptions } from "../train/optimizer";
import { decaysByRank } from "./adamw-graph";
import { flatLayout } from "./lean-step-session";
import { chooseMemoryMode, FUSED_BYTES_PER_PARAM, LEAN_FROM_PARAMS, type StepMemoryMode } from "./memory-mode";
import { OrtTrainer } from "./ort-trainer";
import { lmBatchAt, maxRelativeError, type TrainingTrace } from "./testing";
import { OrtVjpTrainer } from "./vjp-trainer";

const BATCH = 2;
const SEQ = 6;
const STEPS = 5;
/** Small and odd: chunks end inside parameters, and each group (decayed, not) ends in a short chunk. */
const CHUNK = 1009;
const lrAt = (step: number) => 3e-3 * (step + 1);
const graph: Graph = buildGpt2Graph(TINY_GPT2);
const initial = randomWeights(graph, 3, 0.3);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

type Trace = TrainingTrace & { moments: Record<string, Float32Array> };

/** `steps` steps of one ORT step mode from `from` (weights and, when resuming, the optimizer state at `from.step`). */
async function train(memory: StepMemoryMode, adamw: AdamWOptions, steps: number, from: { weights: Record<string, Float32Array>; state?: ReturnType<OrtTrainer["optimizerState"]> }): Promise<Trace & { state: ReturnType<OrtTrainer["optimizerState"]> }> {
  const trainer = await OrtTrainer.create({ graph, weights: from.weights, adamw, batch: BATCH, seq: SEQ, threads: 1, memory, leanChunkSize: CHUNK });
  expect(trainer.memoryMode).toBe(memory);
  if (from.state) trainer.loadOptimizerState(from.state);
  const trace: Trace & { state: ReturnType<OrtTrainer["optimizerState"]> } = { losses: [], norms: [], final: {}, moments: {}, state: { step: 0, tensors: {} } };
  for (let i = 0; i < steps; i++) {
    const step = trainer.t;
    const r = await trainer.step(lmBatchAt(step, TINY_GPT2.vocab_size, BATCH, SEQ), lrAt(step));
    trace.losses.push(r.loss);
    trace.norms.push(r.gradNorm);
  }
  trace.final = Object.fromEntries(Object.entries(trainer.weights()).map(([k, t]) => [k, t.data]));
  trace.state = trainer.optimizerState();
  trace.moments = Object.fromEntries(Object.entries(trace.state.tensors).map(([k, t]) => [k, t.data]));
  await trainer.release();
  return trace;
}

/**
 * The two modes run the same forward and backward graph and the same AdamW nodes, so they agree
 * to fp32 rounding of the reductions (ORT may order the fused graph's differently): 1e-6 relative,
 * per step for losses and norms, per tensor for weights and moments.
 */
function expectSame(got: Trace, want: Trace): void {
  expect(got.losses.length).toBe(want.losses.length);
  want.losses.forEach((loss, i) => {
    expect(Math.abs(got.losses[i]! - loss) / loss).toBeLessThan(1e-6);
    expect(Math.abs(got.norms[i]! - want.norms[i]!) / want.norms[i]!).toBeLessThan(1e-6);
  });
  for (const p of graph.params) expect(maxRelativeError(got.final[p.name]!, want.final[p.name]!), p.name).toBeLessThan(1e-6);
  for (const [name, m] of Object.entries(want.moments)) expect(maxRelativeError(got.moments[name]!, m), name).toBeLessThan(1e-6);
}

describe("the memory-lean ORT step (one flat state set, AdamW in chunks)", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it("lays the parameters AdamW decays out first, and covers each group with chunks of at most the chunk size that never span both", () => {
    const params = graph.params.map((p) => ({ name: p.name, shape: p.shape }));
    const { offsets, chunks, total } = flatLayout(params, CHUNK);
    const decayed = params.filter(decaysByRank).reduce((n, p) => n + size(p.shape), 0);
    expect(total).toBe(params.reduce((n, p) => n + size(p.shape), 0));
    for (const p of params) expect(offsets.get(p.name)! < decayed).toBe(decaysByRank(p));
    // Contiguous, no overlap, no gap; the boundary between the groups is a chunk boundary.
    chunks.forEach((c, i) => expect(c.offset).toBe(i === 0 ? 0 : chunks[i - 1]!.offset + chunks[i - 1]!.size));
    expect(chunks.at(-1)!.offset + chunks.at(-1)!.size).toBe(total);
    for (const c of chunks) {
      expect(c.size).toBeLessThanOrEqual(CHUNK);
      expect(c.offset + c.size <= decayed || c.offset >= decayed).toBe(true);
      expect(c.decays).toBe(c.offset < decayed);
    }
    expect(new Set(chunks.map((c) => c.size)).size).toBe(3);
  });

  const CLIPS: [string, AdamWOptions][] = [
    ["clipping that triggers", { beta1: 0.9, beta2: 0.95, weightDecay: 0.1, gradClip: 0.5 }],
    ["no clipping", { beta1: 0.9, beta2: 0.95, weightDecay: 0.1, gradClip: 0 }],
  ];
  for (const [label, adamw] of CLIPS) {
    it(`${STEPS} steps with ${label}: losses, grad norms, weights and moments equal the fused step's (max relative error < 1e-6)`, async () => {
      const want = await train("fused", adamw, STEPS, { weights: initial });
      const got = await train("lean", adamw, STEPS, { weights: initial });
      expectSame(got, want);
      if (adamw.gradClip > 0) expect(Math.max(...want.norms)).toBeGreaterThan(adamw.gradClip);
      expect(maxRelativeError(want.final[graph.params[0]!.name]!, initial[graph.params[0]!.name]!)).toBeGreaterThan(1e-3);
    }, 60_000);
  }

  it("resumes a fused run's optimizer state: 3 fused steps, then 2 lean ones from its weights and moments, equal 5 fused steps", async () => {
    const adamw = CLIPS[0]![1];
    const want = await train("fused", adamw, STEPS, { weights: initial });
    const first = await train("fused", adamw, 3, { weights: initial });
    const resumed = await train("lean", adamw, STEPS - 3, { weights: first.final, state: first.state });
    expect(resumed.state.step).toBe(STEPS);
    expectSame({ ...resumed, losses: [...first.losses, ...resumed.losses], norms: [...first.norms, ...resumed.norms] }, want);
  }, 60_000);

  it("auto picks the lean step from LEAN_FROM_PARAMS on, and below it whenever the fused step's measured peak per parameter would pass half the memory", () => {
    const gib = 2 ** 30;
    expect(chooseMemoryMode(1e6, 24 * gib)).toBe("fused");
    expect(chooseMemoryMode(LEAN_FROM_PARAMS - 1, 24 * gib)).toBe("fused");
    expect(chooseMemoryMode(LEAN_FROM_PARAMS, 24 * gib)).toBe("lean");
    expect(chooseMemoryMode(355e6, 24 * gib)).toBe("lean");
    const fits = Math.floor((2 * gib) / FUSED_BYTES_PER_PARAM);
    expect(chooseMemoryMode(fits, 4 * gib)).toBe("fused");
    expect(chooseMemoryMode(fits + 1, 4 * gib)).toBe("lean");
  });

  it("serves OrtVjpTrainer too (a tfjs loss on ORT's sequence log-probs seeds the backward; its forward session reads the flat state's views): 3 steps equal the fused step's", async () => {
    const adamw = CLIPS[0]![1];
    const loss = (logps: tf.Tensor1D) => tf.neg(tf.mean(logps)) as tf.Scalar;
    const run = async (memory: StepMemoryMode) => {
      const trainer = await OrtVjpTrainer.create({ graph, weights: initial, adamw, batch: BATCH, seq: SEQ, threads: 1, memory, leanChunkSize: CHUNK });
      expect(trainer.memoryMode).toBe(memory);
      const trace: Trace = { losses: [], norms: [], final: {}, moments: {} };
      for (let step = 0; step < 3; step++) {
        const b = lmBatchAt(step, TINY_GPT2.vocab_size, BATCH, SEQ);
        const r = await trainer.step({ ...b, mask: b.inputs.map((row) => row.map((_, t) => (t >= 2 ? 1 : 0))) }, loss, lrAt(step));
        trace.losses.push(r.loss);
        trace.norms.push(r.gradNorm);
      }
      trace.final = Object.fromEntries(Object.entries(trainer.weights()).map(([k, t]) => [k, t.data]));
      trace.moments = Object.fromEntries(Object.entries(trainer.optimizerState().tensors).map(([k, t]) => [k, t.data]));
      await trainer.release();
      return trace;
    };
    expectSame(await run("lean"), await run("fused"));
  }, 60_000);
});
