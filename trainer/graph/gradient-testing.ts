// Test fixtures for the autodiff: one set of values for a graph, and the gradients of its loss
// four ways — the gradient graph on tfjs, the same graph lowered to ONNX Runtime, tfjs's own
// autodiff (tf.grads over executeGraph) and central finite differences of the tfjs forward.
import * as tf from "@tensorflow/tfjs-core";
import * as ort from "onnxruntime-node";
import { exportGraph } from "../onnx/export";
import { float32Tensor, int64Tensor, OnnxSession } from "../onnx/session";
import { gradName } from "./autodiff";
import type { DType, Graph } from "./ir";
import { executeGraph } from "./tfjs-exec";
import { tfDtype } from "./tfjs-ops";

export interface HostValue {
  dtype: DType;
  shape: number[];
  data: Float32Array | number[];
}
export type HostValues = Record<string, HostValue>;

function toTensors(values: HostValues): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, tf.tensor(Array.from(v.data), v.shape, tfDtype(v.dtype))]));
}

/** Forward outputs of `graph` on tfjs (current backend), as float arrays. */
export function tfjsRun(graph: Graph, values: HostValues, wanted: string[]): Record<string, Float32Array> {
  return tf.tidy(() => {
    const out = executeGraph(graph, toTensors(values), wanted);
    return Object.fromEntries(wanted.map((name) => [name, Float32Array.from(out[name].dataSync())]));
  });
}

/** The gradient graph's `grad/<w>` outputs executed by tfjs. */
export function tfjsGradients(gradGraph: Graph, values: HostValues, wrt: string[]): Record<string, Float32Array> {
  const out = tfjsRun(gradGraph, values, wrt.map(gradName));
  return Object.fromEntries(wrt.map((w) => [w, out[gradName(w)]]));
}

/** tfjs's own autodiff of `loss` in the forward graph (the reference the IR rules must match). */
export function tfjsReferenceGradients(graph: Graph, values: HostValues, loss: string, wrt: string[]): Record<string, Float32Array> {
  return tf.tidy(() => {
    const all = toTensors(values);
    const f = (...xs: tf.Tensor[]) => executeGraph(graph, { ...all, ...Object.fromEntries(wrt.map((w, i) => [w, xs[i]])) }, [loss])[loss] as tf.Scalar;
    const grads = tf.grads(f)(wrt.map((w) => all[w]));
    return Object.fromEntries(wrt.map((w, i) => [w, Float32Array.from(grads[i].dataSync())]));
  });
}

/** Central differences (L(w + h·e_i) − L(w − h·e_i)) / 2h of the tfjs forward, every coordinate. */
export function finiteDifferences(graph: Graph, values: HostValues, loss: string, wrt: string[], h: number): Record<string, Float32Array> {
  const lossAt = (v: HostValues) => tfjsRun(graph, v, [loss])[loss][0];
  const out: Record<string, Float32Array> = {};
  for (const w of wrt) {
    const base = Float32Array.from(values[w].data);
    out[w] = base.map((x, i) => {
      const at = (delta: number) => {
        const shifted = base.slice();
        shifted[i] = x + delta;
        return lossAt({ ...values, [w]: { ...values[w], data: shifted } });
      };
      return (at(h) - at(-h)) / (2 * h);
    });
  }
  return out;
}

/** The gradient graph lowered to ONNX (params as initializers) and run on ONNX Runtime, one thread. */
export async function ortGradients(gradGraph: Graph, values: HostValues, wrt: string[]): Promise<Record<string, Float32Array>> {
  const model = exportGraph(gradGraph, (name) => Float32Array.from(values[name].data));
  const session = await OnnxSession.create(model, { intraOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const spec of gradGraph.inputs) {
      const v = values[spec.name];
      feeds[spec.name] = v.dtype === "float32" ? float32Tensor(Float32Array.from(v.data), v.shape) : int64Tensor(v.data, v.shape);
    }
    const out = await session.run(feeds, wrt.map(gradName));
    return Object.fromEntries(wrt.map((w) => [w, Float32Array.from(out[gradName(w)].data as Float32Array)]));
  } finally {
    await session.release();
  }
}

/** max_i |got_i − want_i| / max_j |want_j|: the error relative to the gradient's scale. */
export function maxRelativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} vs ${want.length}`);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    worst = Math.max(worst, Math.abs(got[i] - want[i]));
  }
  if (!Number.isFinite(worst)) return Infinity;
  return scale === 0 ? worst : worst / scale;
}

/** The worst maxRelativeError over every wrt value, with which one it was. */
export function worstError(got: Record<string, ArrayLike<number>>, want: Record<string, ArrayLike<number>>): { value: string; error: number } {
  let worst = { value: "", error: -1 };
  for (const name of Object.keys(want)) {
    const error = maxRelativeError(got[name], want[name]);
    if (!(error <= worst.error)) worst = { value: name, error };
  }
  return worst;
}
