// The primitive-op graph IR: every architecture is written ONCE as a `Graph` of these ops, and
// each execution engine (TensorFlow.js in `tfjs-exec.ts`, ONNX in `trainer/onnx/`) interprets or
// translates it. Keep the op set small and each op's semantics identical to a standard ONNX op
// (opset 17/18) or a short, documented decomposition, so both engines give the same numbers.
//
// Conventions (stable contract; T2's ONNX exporter depends on them):
// - Values are named strings in SSA form: each name is produced exactly once, by a graph input,
//   a parameter, or one node output. Nodes are listed in topological order.
// - Broadcasting of binary ops is numpy/ONNX multidirectional broadcasting.
// - Negative axes count from the end, as in ONNX.
// - Shapes use numbers for static dims and strings for symbolic ones ("batch", "seq", "past",
//   "total" = past + seq). Symbolic dims are only used in graph input/output specs.
// - Integer graph inputs are declared int64 (what ONNX / transformers.js feed); tfjs, which has no
//   int64, executes them as int32.
// - Parameters carry Hugging Face names and layouts (e.g. GPT-2 Conv1D weights are [in, out]).

/** Element types that appear in graphs. */
export type DType = "float32" | "int64" | "int32" | "bool";

/** A static size or a symbolic (dynamic) dimension name. */
export type Dim = number | string;

/** A named graph input or output. */
export interface ValueSpec {
  name: string;
  dtype: DType;
  shape: Dim[];
}

/** A learned tensor; `shape` is fully static. Stored under `name` in model.safetensors. */
export interface ParamSpec {
  name: string;
  shape: number[];
  /** How to initialize when training from scratch (loading a checkpoint ignores this). */
  init: ParamInit;
}

/** Initializers used by graph builders; std is the normal distribution's standard deviation. */
export type ParamInit = { kind: "normal"; std: number } | { kind: "zeros" } | { kind: "ones" };

/**
 * Every primitive op, with its attributes. Inputs/outputs are listed per op:
 * - add, sub, mul, div, pow: (a, b) -> y, broadcasting. ONNX Add/Sub/Mul/Div/Pow.
 * - neg, exp, sqrt, tanh, sigmoid, erf: (x) -> y. ONNX Neg/Exp/Sqrt/Tanh/Sigmoid/Erf.
 * - matmul: (a, b) -> y, numpy matmul (batched, broadcasting leading dims). ONNX MatMul.
 * - gelu: (x) -> y. approximate "tanh" is HF `gelu_new`:
 *   0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); "none" is 0.5·x·(1 + erf(x/√2)).
 *   ONNX: opset 20 Gelu, or decompose into Mul/Pow/Add/Tanh (or Erf) for opset 17/18.
 * - layerNorm: (x, scale, bias) -> y over the last axis: (x-mean)/sqrt(var+epsilon)·scale+bias,
 *   biased variance. ONNX LayerNormalization(axis=-1, epsilon).
 * - reduceMean, reduceSum: (x) -> y over `axes`, keeping dims if `keepDims`.
 *   ONNX ReduceMean/ReduceSum (axes as input in opset 18).
 * - softmax, logSoftmax: (x) -> y along `axis`. ONNX Softmax/LogSoftmax.
 * - gather: (data, indices) -> y, ONNX Gather along `axis` (embedding lookup when axis = 0).
 * - reshape: (x) -> y, `shape` with ONNX semantics: 0 copies the input's dim at that position,
 *   -1 is inferred (at most one). ONNX Reshape (allowzero = 0) with a constant shape input.
 * - transpose: (x) -> y with permutation `perm`. ONNX Transpose.
 * - concat: (x1, ..., xn) -> y along `axis`; empty (size-0) inputs allowed. ONNX Concat.
 * - split: (x) -> (y1, ..., yn) with static `sizes` along `axis`. ONNX Split (split input).
 * - slice: (x) -> y, static `starts`/`ends`/`axes` (steps 1), ONNX clamping rules (ends may be
 *   huge, negatives count from the end). ONNX Slice with constant inputs.
 * - causalMask: (scores) -> mask, where scores is [..., q, k] and mask is bool [q, k] with
 *   mask[i][j] = j <= i + (k - q): query i sits at absolute position past + i with past = k - q.
 *   ONNX: Shape/Gather/Sub to get q, k and k - q; Trilu(upper=0, k=k-q) on ConstantOfShape([q,k]).
 * - where: (cond, x, y) -> y, broadcasting. ONNX Where.
 * - and: (a, b) -> y, bool. ONNX And.
 * - cast: (x) -> y as dtype `to`. ONNX Cast.
 * - constant: () -> y, values `value` (row-major) of static `shape` and `dtype`.
 *   ONNX Constant (or an initializer).
 * - log: (x) -> y, natural logarithm. ONNX Log.
 * - gatherElements: (data, indices) -> y with indices' shape (same rank as data):
 *   y[i..][j][k..] = data[i..][indices[i..][j][k..]][k..] along `axis`. ONNX GatherElements.
 * - scatterElementsAdd: (base, indices, updates) -> y = base with each updates element added at
 *   the position gatherElements would read it from (duplicates sum). ONNX ScatterElements
 *   (reduction "add", opset >= 16).
 * - scatterNDAdd: (base, indices [..., k], updates [..., base.shape[k:]]) -> y = base with each
 *   update slice added at base[indices[...]] (duplicates sum). ONNX ScatterND (reduction "add").
 * - zeros: () -> float32 zeros of static `shape`, made at run time. ONNX ConstantOfShape (never a
 *   large initializer in the model file).
 * - expand: (x) -> y broadcast to static `shape`. ONNX Expand.
 * - pad: (x) -> y with `pads` zeros added ([begin_0, ..., begin_n, end_0, ..., end_n], >= 0).
 *   ONNX Pad (mode "constant", value 0).
 */
export type OpAttrs =
  | { op: "add" | "sub" | "mul" | "div" | "pow" }
  | { op: "neg" | "exp" | "sqrt" | "tanh" | "sigmoid" | "erf" }
  | { op: "matmul" }
  | { op: "gelu"; approximate: "tanh" | "none" }
  | { op: "layerNorm"; epsilon: number }
  | { op: "reduceMean" | "reduceSum"; axes: number[]; keepDims: boolean }
  | { op: "softmax" | "logSoftmax"; axis: number }
  | { op: "gather"; axis: number }
  | { op: "reshape"; shape: number[] }
  | { op: "transpose"; perm: number[] }
  | { op: "concat"; axis: number }
  | { op: "split"; axis: number; sizes: number[] }
  | { op: "slice"; starts: number[]; ends: number[]; axes: number[] }
  | { op: "causalMask" }
  | { op: "where" }
  | { op: "and" }
  | { op: "cast"; to: DType }
  | { op: "constant"; value: number[]; shape: number[]; dtype: DType }
  | { op: "log" }
  | { op: "gatherElements" | "scatterElementsAdd"; axis: number }
  | { op: "scatterNDAdd" }
  | { op: "zeros"; shape: number[] }
  | { op: "expand"; shape: number[] }
  | { op: "pad"; pads: number[] };

/** The name of every primitive op. */
export type OpName = OpAttrs["op"];

/** One op application. `name` is unique and human-readable (e.g. "h.0.attn.qkv"). */
export type GraphNode = OpAttrs & {
  name: string;
  inputs: string[];
  outputs: string[];
};

/** A whole model (or sub-model) graph. */
export interface Graph {
  /** Architecture tag, e.g. "gpt2". */
  name: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  params: ParamSpec[];
  nodes: GraphNode[];
}

/** Number of inputs each op takes (-1: variadic, at least one). */
export const OP_ARITY: Record<OpName, number> = {
  add: 2, sub: 2, mul: 2, div: 2, pow: 2,
  neg: 1, exp: 1, sqrt: 1, tanh: 1, sigmoid: 1, erf: 1,
  matmul: 2, gelu: 1, layerNorm: 3, reduceMean: 1, reduceSum: 1,
  softmax: 1, logSoftmax: 1, gather: 2, reshape: 1, transpose: 1,
  concat: -1, split: 1, slice: 1, causalMask: 1, where: 3, and: 2, cast: 1, constant: 0,
  log: 1, gatherElements: 2, scatterElementsAdd: 3, scatterNDAdd: 3, zeros: 0, expand: 1, pad: 1,
};

/**
 * Checks the SSA / topological-order contract and op arities; throws an Error naming the first
 * problem. Engines call this before executing or exporting a graph.
 */
export function validateGraph(graph: Graph): void {
  const defined = new Set<string>();
  const define = (name: string, where: string) => {
    if (defined.has(name)) throw new Error(`graph ${graph.name}: value "${name}" defined twice (${where})`);
    defined.add(name);
  };
  for (const v of graph.inputs) define(v.name, "input");
  for (const p of graph.params) define(p.name, "param");
  for (const node of graph.nodes) {
    const arity = OP_ARITY[node.op];
    if (arity === undefined) throw new Error(`graph ${graph.name}: node ${node.name} has unknown op ${node.op}`);
    const ok = arity === -1 ? node.inputs.length >= 1 : node.inputs.length === arity;
    if (!ok) throw new Error(`graph ${graph.name}: node ${node.name} (${node.op}) has ${node.inputs.length} inputs`);
    for (const input of node.inputs) {
      if (!defined.has(input)) throw new Error(`graph ${graph.name}: node ${node.name} reads undefined "${input}"`);
    }
    const wantOutputs = node.op === "split" ? node.sizes.length : 1;
    if (node.outputs.length !== wantOutputs) throw new Error(`graph ${graph.name}: node ${node.name} has ${node.outputs.length} outputs`);
    for (const output of node.outputs) define(output, `node ${node.name}`);
  }
  for (const v of graph.outputs) {
    if (!defined.has(v.name)) throw new Error(`graph ${graph.name}: output "${v.name}" is never produced`);
  }
}

/** The nodes the wanted values depend on (so e.g. logits-only calls skip unused heads). */
export function neededNodes(nodes: GraphNode[], wanted: string[]): Set<GraphNode> {
  const producer = new Map<string, GraphNode>();
  for (const node of nodes) for (const o of node.outputs) producer.set(o, node);
  const needed = new Set<GraphNode>();
  const stack = [...wanted];
  while (stack.length > 0) {
    const node = producer.get(stack.pop() as string);
    if (!node || needed.has(node)) continue;
    needed.add(node);
    stack.push(...node.inputs);
  }
  return needed;
}
