// Executes an IR graph on TensorFlow.js. Because every op is a differentiable tfjs op, wrapping
// a call in tf.variableGrads / tf.grads gives training gradients for free.
import type * as tf from "@tensorflow/tfjs-core";
import type { Graph, GraphNode } from "./ir";
import { neededNodes, validateGraph } from "./ir";
import { TFJS_OPS } from "./tfjs-ops";

type Impl = (node: GraphNode, x: tf.Tensor[]) => tf.Tensor[];

/**
 * Runs `graph` with `values` holding every parameter and graph input by name (int64 inputs as
 * int32 tensors). Returns the requested outputs (default: all graph outputs). Intermediates are
 * not disposed here: call inside tf.tidy (or a gradient function) to release them.
 */
export function executeGraph(graph: Graph, values: Record<string, tf.Tensor>, wanted?: string[]): Record<string, tf.Tensor> {
  const env = new Map<string, tf.Tensor>(Object.entries(values));
  for (const spec of [...graph.inputs, ...graph.params]) {
    if (!env.has(spec.name)) throw new Error(`graph ${graph.name}: missing value for "${spec.name}"`);
  }
  const outputNames = wanted ?? graph.outputs.map((o) => o.name);
  const needed = neededNodes(graph.nodes, outputNames);
  for (const node of graph.nodes) {
    if (!needed.has(node) || node.outputs.every((o) => env.has(o))) continue; // skip: given (e.g. folded)
    const args = node.inputs.map((name) => env.get(name) as tf.Tensor);
    const results = (TFJS_OPS[node.op] as Impl)(node, args);
    node.outputs.forEach((name, i) => env.set(name, results[i]));
  }
  const out: Record<string, tf.Tensor> = {};
  for (const name of outputNames) {
    const t = env.get(name);
    if (!t) throw new Error(`graph ${graph.name}: no value "${name}"`);
    out[name] = t;
  }
  return out;
}

/**
 * Precomputes every node that depends only on parameters and constants (e.g. the tied LM head's
 * transpose of wte): passing the result in `values` makes inference skip that work. Not for
 * training: gradients would stop at the folded values.
 */
export function foldParamNodes(graph: Graph, params: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const known = new Set(graph.params.map((p) => p.name));
  const foldable = graph.nodes.filter((node) => {
    const ok = node.inputs.every((i) => known.has(i));
    if (ok) node.outputs.forEach((o) => known.add(o));
    return ok;
  });
  const outputs = foldable.flatMap((n) => n.outputs);
  if (outputs.length === 0) return {};
  return executeGraph({ ...graph, nodes: foldable, inputs: [] }, params, outputs);
}

/** Validates once and returns an executor bound to the graph. */
export function compileGraph(graph: Graph): (values: Record<string, tf.Tensor>, wanted?: string[]) => Record<string, tf.Tensor> {
  validateGraph(graph);
  return (values, wanted) => executeGraph(graph, values, wanted);
}
