// Static shape and dtype inference over an IR graph specialised to fixed input shapes (a training
// step has a fixed batch and sequence). The autodiff needs every value's shape to emit static
// reshapes, reductions and zeros; a mismatch fails here with the node's name instead of deep
// inside tfjs or ONNX Runtime.
import type { DType, Graph, GraphNode, OpName } from "./ir";
import { validateGraph } from "./ir";

export interface ValueInfo {
  dtype: DType;
  shape: number[];
}

type NodeIn<N, K> = N extends { op: infer O } ? ([K] extends [O] ? N : never) : never;
type NodeOf<K extends OpName> = NodeIn<GraphNode, K>;
type Infer<K extends OpName> = (node: NodeOf<K>, inputs: ValueInfo[]) => ValueInfo[];

/** A negative axis counted from the end, made absolute (throws when out of range). */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= Math.max(rank, 1)) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** numpy/ONNX multidirectional broadcasting of shapes. */
export function broadcastShapes(...shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = shapes.map((s) => s[s.length - rank + i] ?? 1);
    const big = dims.filter((d) => d !== 1);
    if (big.some((d) => d !== big[0])) throw new Error(`cannot broadcast ${shapes.map((s) => `[${s}]`).join(" with ")}`);
    out.push(big[0] ?? 1);
  }
  return out;
}

export const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

const same: Infer<OpName> = (_n, [x]) => [x];
const float = (shape: number[]): ValueInfo => ({ dtype: "float32", shape });

function binary(_node: GraphNode, [a, b]: ValueInfo[]): ValueInfo[] {
  if (a.dtype !== b.dtype) throw new Error(`dtypes ${a.dtype} and ${b.dtype} differ`);
  return [{ dtype: a.dtype, shape: broadcastShapes(a.shape, b.shape) }];
}

function matmul(_node: GraphNode, [a, b]: ValueInfo[]): ValueInfo[] {
  if (a.shape.length < 2 || b.shape.length < 2) throw new Error("matmul operands need rank >= 2");
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) throw new Error(`matmul inner dims ${k} and ${k2} differ`);
  return [float([...broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2)), m, n])];
}

function reduce(node: NodeOf<"reduceSum" | "reduceMean">, [x]: ValueInfo[]): ValueInfo[] {
  // ONNX reduces every axis when none is given, tfjs none: the engines would disagree.
  if (node.axes.length === 0) throw new Error("empty axes: list the axes to reduce");
  const axes = new Set(node.axes.map((a) => normAxis(a, x.shape.length)));
  const shape = x.shape.flatMap((d, i) => (axes.has(i) ? (node.keepDims ? [1] : []) : [d]));
  return [{ dtype: x.dtype, shape }];
}

/** ONNX reshape: 0 copies the input's dim, -1 is inferred (at most one). */
export function resolveReshape(inShape: number[], target: number[]): number[] {
  const shape = target.map((d, i) => (d === 0 ? inShape[i] : d));
  const known = shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  return shape.map((d) => (d === -1 ? (known === 0 ? 0 : sizeOf(inShape) / known) : d));
}

function reshape(node: NodeOf<"reshape">, [x]: ValueInfo[]): ValueInfo[] {
  const shape = resolveReshape(x.shape, node.shape);
  if (sizeOf(shape) !== sizeOf(x.shape) || shape.some((d) => !Number.isInteger(d))) throw new Error(`cannot reshape [${x.shape}] to [${node.shape}]`);
  return [{ dtype: x.dtype, shape }];
}

/** ONNX Slice's clamped [start, end) per axis (steps 1) for a static shape. */
export function sliceBounds(node: NodeOf<"slice">, shape: number[]): { begin: number[]; size: number[] } {
  const begin = shape.map(() => 0);
  const size = shape.slice();
  node.axes.forEach((axis0, i) => {
    const axis = normAxis(axis0, shape.length);
    const dim = shape[axis];
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
    begin[axis] = clamp(node.starts[i]);
    size[axis] = Math.max(clamp(node.ends[i]) - begin[axis], 0);
  });
  return { begin, size };
}

function gather(node: NodeOf<"gather">, [data, idx]: ValueInfo[]): ValueInfo[] {
  const axis = normAxis(node.axis, data.shape.length);
  return [{ dtype: data.dtype, shape: [...data.shape.slice(0, axis), ...idx.shape, ...data.shape.slice(axis + 1)] }];
}

function concat(node: NodeOf<"concat">, xs: ValueInfo[]): ValueInfo[] {
  const axis = normAxis(node.axis, xs[0].shape.length);
  const shape = xs[0].shape.slice();
  shape[axis] = 0;
  for (const x of xs) {
    if (x.shape.length !== shape.length || x.shape.some((d, i) => i !== axis && d !== shape[i])) throw new Error(`concat of [${xs[0].shape}] and [${x.shape}] along ${node.axis}`);
    shape[axis] += x.shape[axis];
  }
  return [{ dtype: xs[0].dtype, shape }];
}

function split(node: NodeOf<"split">, [x]: ValueInfo[]): ValueInfo[] {
  const axis = normAxis(node.axis, x.shape.length);
  if (node.sizes.reduce((a, b) => a + b, 0) !== x.shape[axis]) throw new Error(`split sizes [${node.sizes}] do not add up to ${x.shape[axis]}`);
  return node.sizes.map((size) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? size : d)) }));
}

function scatter(node: NodeOf<"scatterElementsAdd"> | NodeOf<"scatterNDAdd">, [base, idx, updates]: ValueInfo[]): ValueInfo[] {
  const want = node.op === "scatterNDAdd" ? [...idx.shape.slice(0, -1), ...base.shape.slice(idx.shape[idx.shape.length - 1])] : idx.shape;
  if (want.join() !== updates.shape.join()) throw new Error(`updates [${updates.shape}] should be [${want}]`);
  return [base];
}

const INFER: { [K in OpName]: Infer<K> } = {
  add: binary, sub: binary, mul: binary, div: binary, pow: binary, and: binary,
  neg: same, exp: same, sqrt: same, tanh: same, sigmoid: same, erf: same, log: same, gelu: same,
  softmax: same, logSoftmax: same,
  matmul,
  layerNorm: (_n, [x, scale, bias]) => (broadcastShapes(x.shape, scale.shape, bias.shape), [x]),
  reduceMean: reduce, reduceSum: reduce,
  gather,
  gatherElements: (_n, [data, idx]) => {
    if (data.shape.length !== idx.shape.length) throw new Error(`indices rank ${idx.shape.length} differs from data rank ${data.shape.length}`);
    return [{ dtype: data.dtype, shape: idx.shape }];
  },
  scatterElementsAdd: scatter, scatterNDAdd: scatter,
  reshape,
  transpose: (n, [x]) => [{ dtype: x.dtype, shape: n.perm.map((p) => x.shape[p]) }],
  concat, split,
  slice: (n, [x]) => [{ dtype: x.dtype, shape: sliceBounds(n, x.shape).size }],
  causalMask: (_n, [s]) => [{ dtype: "bool", shape: s.shape.slice(-2) }],
  where: (_n, [c, a, b]) => [{ dtype: a.dtype, shape: broadcastShapes(c.shape, a.shape, b.shape) }],
  cast: (n, [x]) => [{ dtype: n.to, shape: x.shape }],
  constant: (n) => [{ dtype: n.dtype, shape: n.shape }],
  zeros: (n) => [float(n.shape)],
  expand: (n, [x]) => [{ dtype: x.dtype, shape: broadcastShapes(x.shape, n.shape) }],
  pad: (n, [x]) => [{ dtype: x.dtype, shape: x.shape.map((d, i) => d + n.pads[i] + n.pads[i + x.shape.length]) }],
};

/**
 * The dtype and static shape of every value of `graph` when its inputs have `inputShapes`
 * (every graph input must be given). Throws an Error naming the node whose inputs do not fit.
 */
export function inferShapes(graph: Graph, inputShapes: Record<string, number[]>): Map<string, ValueInfo> {
  validateGraph(graph);
  const info = new Map<string, ValueInfo>();
  for (const input of graph.inputs) {
    const shape = inputShapes[input.name];
    if (!shape) throw new Error(`graph ${graph.name}: no shape given for input "${input.name}"`);
    if (shape.length !== input.shape.length || input.shape.some((d, i) => typeof d === "number" && d !== shape[i])) {
      throw new Error(`graph ${graph.name}: input "${input.name}" is [${input.shape}], given [${shape}]`);
    }
    info.set(input.name, { dtype: input.dtype, shape });
  }
  for (const p of graph.params) info.set(p.name, float(p.shape));
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((name) => info.get(name) as ValueInfo);
    let outputs: ValueInfo[];
    try {
      outputs = (INFER[node.op] as Infer<OpName>)(node as never, inputs);
    } catch (err) {
      throw new Error(`graph ${graph.name}: node ${node.name} (${node.op}) on ${inputs.map((i) => `${i.dtype}[${i.shape}]`).join(", ")}: ${(err as Error).message}`);
    }
    node.outputs.forEach((name, i) => info.set(name, outputs[i]));
  }
  return info;
}
