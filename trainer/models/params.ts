// Fresh parameters for a graph, following each ParamSpec's init (training from scratch).
import * as tf from "@tensorflow/tfjs-core";
import type { Graph } from "../graph/ir";

/** Named parameter tensors, keyed by HF name. */
export type Params = Record<string, tf.Tensor>;

/** Initializes every parameter of `graph`; `seed` makes it reproducible. */
export function initParams(graph: Graph, seed = 0): Params {
  const params: Params = {};
  graph.params.forEach((spec, i) => {
    const init = spec.init;
    params[spec.name] =
      init.kind === "normal" ? tf.randomNormal(spec.shape, 0, init.std, "float32", seed * 100003 + i)
      : init.kind === "ones" ? tf.ones(spec.shape)
      : tf.zeros(spec.shape);
  });
  return params;
}

/** Total number of scalars in the graph's parameters. */
export function countParams(graph: Graph): number {
  return graph.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Disposes every tensor of a parameter set. */
export function disposeParams(params: Params): void {
  for (const t of Object.values(params)) t.dispose();
}
