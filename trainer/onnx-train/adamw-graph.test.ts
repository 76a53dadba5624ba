import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { executeGraph } from "../graph/tfjs-exec";
import { exportGraph } from "../onnx/export";
import { float32Tensor, floatData, OnnxSession } from "../onnx/session";
import { seededValues } from "../onnx/testing";
import { AdamW, type AdamWOptions } from "../train/optimizer";
import { ADAMW_INPUTS, adamwScalars, buildAdamWGraph, buildChunkAdamWGraph, CHUNK, decaysByRank, GRAD_NORM, momentName, nextName, stateNames, type UpdatedParam } from "./adamw-graph";
import { maxRelativeError } from "./testing";

const PARAMS: UpdatedParam[] = [
  { name: "h.0.ln.bias", shape: [5] }, // rank 1: no weight decay
  { name: "h.0.mlp.weight", shape: [3, 4] }, // rank 2: decays
];
const STEPS = 4;
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Seeded gradients per step, scaled so their global norm is around `scale`·√17/√3. */
const gradsAt = (step: number, scale: number) => Object.fromEntries(PARAMS.map((p, i) => [p.name, seededValues(size(p.shape), 100 * step + i + 7).map((x) => x * scale)]));
const initial = () => Object.fromEntries(PARAMS.map((p, i) => [p.name, seededValues(size(p.shape), i + 1)]));
const lrAt = (step: number) => 1e-2 * (1 + step);

/** The reference: trainer/train/optimizer.ts's AdamW on tfjs variables. */
function referenceRun(o: AdamWOptions, gradScale: number): { params: Record<string, Float32Array>; norms: number[]; state: Record<string, Float32Array> } {
  const start = initial();
  const vars = Object.fromEntries(PARAMS.map((p) => [p.name, tf.variable(tf.tensor(start[p.name], p.shape))]));
  const optimizer = new AdamW(o);
  const norms: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const grads = tf.tidy(() => Object.fromEntries(PARAMS.map((p) => [p.name, tf.tensor(gradsAt(step, gradScale)[p.name], p.shape)])));
    norms.push(optimizer.step(vars, grads, lrAt(step)));
    tf.dispose(Object.values(grads));
  }
  const params = Object.fromEntries(PARAMS.map((p) => [p.name, vars[p.name].dataSync() as Float32Array]));
  const state = Object.fromEntries(Object.entries(optimizer.stateToRaw().tensors).map(([k, t]) => [k, t.data]));
  optimizer.dispose();
  tf.dispose(Object.values(vars));
  return { params, norms, state };
}

/** Feeds of one step: current params and moments, this step's gradients and scalars. */
function stepFeeds(state: Record<string, Float32Array>, step: number, o: AdamWOptions, gradScale: number): Record<string, { data: Float32Array; shape: number[] }> {
  const feeds: Record<string, { data: Float32Array; shape: number[] }> = {};
  const grads = gradsAt(step, gradScale);
  for (const p of PARAMS) {
    for (const name of [p.name, momentName("m", p.name), momentName("v", p.name)]) feeds[name] = { data: state[name], shape: p.shape };
    feeds[`grad/${p.name}`] = { data: grads[p.name], shape: p.shape };
  }
  for (const [name, value] of Object.entries(adamwScalars(step + 1, lrAt(step), o))) feeds[name] = { data: Float32Array.of(value), shape: [] };
  return feeds;
}

function zeroState(): Record<string, Float32Array> {
  const state: Record<string, Float32Array> = { ...initial() };
  for (const p of PARAMS) for (const kind of ["m", "v"] as const) state[momentName(kind, p.name)] = new Float32Array(size(p.shape));
  return state;
}

/** Carries every next/* output into the next step's state. */
function advance(state: Record<string, Float32Array>, out: Record<string, Float32Array>): void {
  for (const name of Object.keys(state)) state[name] = out[nextName(name)];
}

async function ortRun(o: AdamWOptions, gradScale: number) {
  const graph = buildAdamWGraph(PARAMS, o);
  const session = await OnnxSession.create(exportGraph(graph, () => new Float32Array()), { intraOpNumThreads: 1 });
  const state = zeroState();
  const norms: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const feeds = Object.fromEntries(Object.entries(stepFeeds(state, step, o, gradScale)).map(([k, v]) => [k, float32Tensor(v.data, v.shape)]));
    const out = Object.fromEntries(Object.entries(await session.run(feeds)).map(([k, t]) => [k, floatData(t)]));
    norms.push(out[GRAD_NORM][0]);
    advance(state, out);
  }
  await session.release();
  return { state, norms };
}

/**
 * The lean step's AdamW (buildChunkAdamWGraph): each parameter flattened into a chunk of its own,
 * the global norm computed here and fed, `adamw.decay` = 1 for parameters AdamW does not decay.
 */
async function chunkRun(o: AdamWOptions, gradScale: number) {
  const sessions = new Map<number, OnnxSession>();
  for (const p of PARAMS) if (!sessions.has(size(p.shape))) sessions.set(size(p.shape), await OnnxSession.create(exportGraph(buildChunkAdamWGraph(size(p.shape), o), () => new Float32Array()), { intraOpNumThreads: 1 }));
  const state = zeroState();
  const norms: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const grads = gradsAt(step, gradScale);
    const norm = Math.sqrt(PARAMS.reduce((sum, p) => sum + grads[p.name].reduce((a, g) => a + g * g, 0), 0));
    const scalars = adamwScalars(step + 1, lrAt(step), o);
    for (const p of PARAMS) {
      const n = size(p.shape);
      const [chunkNames, paramNames] = [stateNames(CHUNK.param), stateNames(p.name)];
      const feeds: Record<string, Float32Array> = { [CHUNK.grad]: grads[p.name], ...Object.fromEntries(chunkNames.map((flat, i) => [flat, state[paramNames[i]]])) };
      const scalarFeeds = { ...scalars, [CHUNK.norm]: norm, [ADAMW_INPUTS.decay]: decaysByRank(p) ? scalars[ADAMW_INPUTS.decay]! : 1 };
      const out = await sessions.get(n)!.run({
        ...Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, float32Tensor(v, [n])])),
        ...Object.fromEntries(Object.entries(scalarFeeds).map(([k, v]) => [k, float32Tensor(Float32Array.of(v), [])])),
      });
      chunkNames.forEach((flat, i) => (state[paramNames[i]] = floatData(out[nextName(flat)])));
    }
    norms.push(norm);
  }
  for (const session of sessions.values()) await session.release();
  return { state, norms };
}

function tfjsGraphRun(o: AdamWOptions, gradScale: number) {
  const graph = buildAdamWGraph(PARAMS, o);
  const state = zeroState();
  const norms: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const out = tf.tidy(() => {
      const values = Object.fromEntries(Object.entries(stepFeeds(state, step, o, gradScale)).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
      const result = executeGraph(graph, values);
      return Object.fromEntries(Object.entries(result).map(([k, t]) => [k, t.dataSync() as Float32Array]));
    });
    norms.push(out[GRAD_NORM][0]);
    advance(state, out);
  }
  return { state, norms };
}

const BASE: AdamWOptions = { beta1: 0.9, beta2: 0.95, weightDecay: 0.1, gradClip: 0 };
// [case, options, gradient scale]: the gradients' global norm is about 1.4·scale.
const CASES: [string, AdamWOptions, number][] = [
  ["no clipping", BASE, 1],
  ["clipping that triggers (norm ≈ 2.8 > 0.5)", { ...BASE, gradClip: 0.5 }, 2],
  ["a clip above the norm (norm ≈ 0.14 < 1: scale 1)", { ...BASE, gradClip: 1 }, 0.1],
  ["no decay, ε = 1e-6", { ...BASE, weightDecay: 0, epsilon: 1e-6 }, 1],
];

describe("AdamW as graph nodes", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  for (const [label, o, scale] of CASES) {
    it(`${STEPS} steps with ${label}: ORT, tfjs executeGraph and the lean step's per-chunk graph equal the AdamW class (params, moments, pre-clip norms; max relative error < 2e-6)`, async () => {
      const want = referenceRun(o, scale);
      for (const got of [await ortRun(o, scale), tfjsGraphRun(o, scale), await chunkRun(o, scale)]) {
        for (let i = 0; i < STEPS; i++) expect(Math.abs(got.norms[i] - want.norms[i]) / want.norms[i]).toBeLessThan(2e-6);
        for (const p of PARAMS) {
          expect(maxRelativeError(got.state[p.name], want.params[p.name])).toBeLessThan(2e-6);
          for (const kind of ["m", "v"] as const) expect(maxRelativeError(got.state[momentName(kind, p.name)], want.state[momentName(kind, p.name)])).toBeLessThan(2e-6);
        }
      }
      // The parameters moved by about lr per step, far more than the tolerance.
      expect(maxRelativeError(want.params[PARAMS[1].name], initial()[PARAMS[1].name])).toBeGreaterThan(1e-3);
    });
  }

  it("rank-2 parameters decay and rank-1 ones do not: with zero gradients only the decay moves the matrix", async () => {
    const o = { ...BASE, weightDecay: 0.5 };
    const graph = buildAdamWGraph(PARAMS, o);
    const session = await OnnxSession.create(exportGraph(graph, () => new Float32Array()), { intraOpNumThreads: 1 });
    const state = zeroState();
    const feeds = stepFeeds(state, 0, o, 0);
    const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, float32Tensor(v.data, v.shape)])));
    await session.release();
    const [bias, matrix] = PARAMS.map((p) => p.name);
    expect(Array.from(floatData(out[nextName(bias)]))).toEqual(Array.from(state[bias]));
    const lr = 1e-2;
    floatData(out[nextName(matrix)]).forEach((x, i) => expect(x).toBeCloseTo(state[matrix][i] * (1 - lr * 0.5), 6));
    expect(floatData(out[GRAD_NORM])[0]).toBe(0);
  });
});
