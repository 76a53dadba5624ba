// TensorFlow.js implementations of the IR's primitive ops (semantics documented in ./ir.ts).
// Each returns new tensors; the caller owns disposal (tf.tidy), because tfjs autodiff needs the
// intermediates alive until the backward pass.
import * as tf from "@tensorflow/tfjs-core";
import type { DType, GraphNode } from "./ir";
import { broadcastShapes, resolveReshape, sliceBounds } from "./shapes";

type Impl<N extends GraphNode = GraphNode> = (node: N, x: tf.Tensor[]) => tf.Tensor[];
// The node type of op K (matches grouped members such as "softmax" | "logSoftmax").
type NodeOfT<T, K> = T extends { op: infer O } ? ([K] extends [O] ? T : never) : never;
type NodeOf<K extends GraphNode["op"]> = NodeOfT<GraphNode, K>;

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** tfjs has no int64: graph int64 values run as int32. */
export function tfDtype(dtype: DType): tf.DataType {
  return dtype === "int64" ? "int32" : dtype;
}

// ONNX Reshape's target resolution, shared with static shape inference.
export { resolveReshape };

/** Embedding lookup whose gradient is a scatter-add (wasm lacks UnsortedSegmentSum). */
function gatherRows(data: tf.Tensor, indices: tf.Tensor): tf.Tensor {
  if (tf.getKernel("UnsortedSegmentSum", tf.getBackend()) || data.dtype !== "float32") return tf.gather(data, indices, 0);
  const lookup = tf.customGrad(((d: tf.Tensor, idx: tf.Tensor, save: tf.GradSaveFunc) => {
    save([idx]);
    const rows = d.shape[0];
    const value = tf.gather(d, idx, 0); // [...idx, ...d.shape[1:]]
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const flatIdx = tf.reshape(saved[0], [-1, 1]); // [n, 1]
      const updates = tf.reshape(dy, [flatIdx.shape[0] as number, -1]); // [n, rowSize]
      const grad = tf.reshape(tf.scatterND(flatIdx, updates, [rows, updates.shape[1] as number]), d.shape); // duplicates sum
      return [grad, tf.zerosLike(saved[0])];
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return lookup(data, indices);
}

/** Swaps the last two axes. */
function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return tf.transpose(t, perm);
}

/**
 * a·b whose gradients are plain products of explicitly transposed operands: tfjs's own gradient
 * uses matMul's transpose flags, which run 10-50× slower on wasm (measured: a^T·dy 1.3 s vs
 * 36 ms with a transpose first, at [1024,128]·[1024,2048]). Same-shape batch dims only.
 */
const plainGradMatMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  const gradFunc = (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [tf.matMul(dy, swapLast(sb)), tf.matMul(swapLast(sa), dy)];
  return { value: tf.matMul(a, b), gradFunc };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** numpy matmul; a rank-2 right operand multiplies the flattened rows of `a` (one big GEMM). */
function matmul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (b.rank === 2 && a.rank > 2) {
    const rows = tf.reshape(a, [-1, a.shape[a.rank - 1] as number]);
    return tf.reshape(plainGradMatMul(rows, b), [...a.shape.slice(0, -1), b.shape[1] as number]);
  }
  const sameBatch = a.rank === b.rank && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
  if (sameBatch) return plainGradMatMul(a, b);
  // Broadcast batch dims made explicit: tfjs's BatchMatMul gradient does not sum them back.
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  return plainGradMatMul(tf.broadcastTo(a, [...batch, ...a.shape.slice(-2)]), tf.broadcastTo(b, [...batch, ...b.shape.slice(-2)]));
}

function layerNorm(node: NodeOf<"layerNorm">, [x, scale, bias]: tf.Tensor[]): tf.Tensor[] {
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, node.epsilon)));
  return [tf.add(tf.mul(normed, scale), bias)];
}

function gelu(node: NodeOf<"gelu">, [x]: tf.Tensor[]): tf.Tensor[] {
  const inner = node.approximate === "tanh"
    ? tf.tanh(tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.mul(x, tf.mul(x, x))))))
    : tf.erf(tf.mul(x, Math.SQRT1_2));
  return [tf.mul(tf.mul(0.5, x), tf.add(1, inner))];
}

/** ONNX Slice with static starts/ends/axes (step 1), clamped like ONNX. */
function slice(node: NodeOf<"slice">, [x]: tf.Tensor[]): tf.Tensor[] {
  const { begin, size } = sliceBounds(node, x.shape);
  return [tf.slice(x, begin, size)];
}

/** mask[i][j] = j <= i + (k - q) over the last two dims of the scores. */
function causalMask(_node: GraphNode, [scores]: tf.Tensor[]): tf.Tensor[] {
  const [q, k] = scores.shape.slice(-2);
  const rows = tf.reshape(tf.add(tf.range(0, q, 1, "int32"), k - q), [q, 1]);
  return [tf.lessEqual(tf.reshape(tf.range(0, k, 1, "int32"), [1, k]), rows)];
}

function softmaxLike(node: NodeOf<"softmax" | "logSoftmax">, [x]: tf.Tensor[]): tf.Tensor[] {
  if (node.axis !== -1 && node.axis !== x.rank - 1) throw new Error(`${node.name}: tfjs ${node.op} needs the last axis`);
  return [node.op === "softmax" ? tf.softmax(x) : tf.logSoftmax(x)];
}

/**
 * The full coordinates [..., rank] that gatherElements/scatterElementsAdd address: each index's
 * own position with its `axis` coordinate replaced by the index (so GatherNd/ScatterNd, which
 * the wasm backend has, do the work).
 */
function elementCoordinates(indices: tf.Tensor, axis0: number): tf.Tensor {
  const rank = indices.rank;
  const axis = axis0 < 0 ? axis0 + rank : axis0;
  const idx = tf.cast(indices, "int32");
  const coords = indices.shape.map((dim, d) => {
    if (d === axis) return idx;
    const shape = indices.shape.map((_, i) => (i === d ? dim : 1));
    return tf.broadcastTo(tf.reshape(tf.range(0, dim, 1, "int32"), shape), indices.shape);
  });
  return tf.stack(coords, -1);
}

/** ONNX GatherElements, differentiable on every backend (gradient = a scatter-add). */
function gatherElements(node: NodeOf<"gatherElements">, [data, indices]: tf.Tensor[]): tf.Tensor[] {
  const coords = elementCoordinates(indices, node.axis);
  const pick = tf.customGrad(((d: tf.Tensor, c: tf.Tensor, save: tf.GradSaveFunc) => {
    save([c]);
    const gradFunc = (dy: tf.Tensor, [sc]: tf.Tensor[]) => [tf.scatterND(sc, dy, d.shape), tf.zerosLike(sc)];
    return { value: tf.gatherND(d, c), gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (d: tf.Tensor, c: tf.Tensor) => tf.Tensor;
  return [pick(data, coords)];
}

/**
 * base + updates scattered to full coordinates (duplicates sum), differentiable: tfjs registers
 * no ScatterNd gradient. d base = dy, d updates = dy gathered at the same coordinates.
 */
const scatterAddAt = tf.customGrad(((base: tf.Tensor, coords: tf.Tensor, updates: tf.Tensor, save: tf.GradSaveFunc) => {
  save([coords]);
  const gradFunc = (dy: tf.Tensor, [c]: tf.Tensor[]) => [dy, tf.zerosLike(c), tf.gatherND(dy, c)];
  return { value: tf.add(base, tf.scatterND(coords, updates, base.shape)), gradFunc };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (base: tf.Tensor, coords: tf.Tensor, updates: tf.Tensor) => tf.Tensor;

/** ONNX Pad (constant zeros) with pads [begin..., end...]. */
function pad(node: NodeOf<"pad">, [x]: tf.Tensor[]): tf.Tensor[] {
  return [tf.pad(x, x.shape.map((_, i) => [node.pads[i], node.pads[i + x.rank]] as [number, number]))];
}

const unary = (f: (x: tf.Tensor) => tf.Tensor): Impl => (_n, [x]) => [f(x)];
const binary = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): Impl => (_n, [a, b]) => [f(a, b)];

/** One implementation per op; the record type makes a missing op a compile error. */
export const TFJS_OPS: { [K in GraphNode["op"]]: Impl<NodeOf<K>> } = {
  add: binary(tf.add), sub: binary(tf.sub), mul: binary(tf.mul), div: binary(tf.div), pow: binary(tf.pow),
  neg: unary(tf.neg), exp: unary(tf.exp), sqrt: unary(tf.sqrt), tanh: unary(tf.tanh), sigmoid: unary(tf.sigmoid), erf: unary(tf.erf),
  matmul: binary(matmul),
  gelu,
  layerNorm,
  reduceMean: (n, [x]) => [tf.mean(x, n.axes, n.keepDims)],
  reduceSum: (n, [x]) => [tf.sum(x, n.axes, n.keepDims)],
  softmax: softmaxLike,
  logSoftmax: softmaxLike,
  gather: (n, [d, i]) => [n.axis === 0 ? gatherRows(d, i) : tf.gather(d, i, n.axis)],
  reshape: (n, [x]) => [tf.reshape(x, resolveReshape(x.shape, n.shape))],
  transpose: (n, [x]) => [tf.transpose(x, n.perm)],
  concat: (n, xs) => [tf.concat(xs, n.axis)],
  split: (n, [x]) => tf.split(x, n.sizes, n.axis),
  slice,
  causalMask,
  where: (_n, [c, a, b]) => [tf.where(c, a, b)],
  and: binary(tf.logicalAnd),
  cast: (n, [x]) => [tf.cast(x, tfDtype(n.to))],
  constant: (n) => [tf.tensor(n.value, n.shape, tfDtype(n.dtype))],
  log: unary(tf.log),
  gatherElements,
  scatterElementsAdd: (n, [base, i, u]) => [scatterAddAt(base, elementCoordinates(i, n.axis), u)],
  scatterNDAdd: (_n, [base, i, u]) => [scatterAddAt(base, tf.cast(i, "int32"), u)],
  zeros: (n) => [tf.zeros(n.shape)],
  expand: (n, [x]) => [tf.broadcastTo(x, n.shape)],
  pad,
};
