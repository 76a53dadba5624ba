// Backward rules of the ops that move or reduce elements without arithmetic: the gradient is
// moved back (reshape, transpose, slice ↔ pad, concat ↔ split) or broadcast back (reductions).
import { normAxis, sizeOf, sliceBounds } from "../shapes";
import type { Backward, NodeOf, Rule, Rules } from "./types";

/** Reduce backward: dy (with the reduced axes restored as 1s) broadcast to x's shape, × `scale`. */
function reduceBackward(b: Backward, node: NodeOf<"reduceSum" | "reduceMean">, dy: string): string {
  const xShape = b.shape(node.inputs[0]);
  const axes = new Set(node.axes.map((a) => normAxis(a, xShape.length)));
  const kept = xShape.map((d, i) => (axes.has(i) ? 1 : d));
  let g = node.keepDims ? dy : b.op("reshape", [dy], { shape: kept });
  if (node.op === "reduceMean") g = b.op("mul", [g, b.scalar(sizeOf(kept) / sizeOf(xShape))], {});
  return b.op("expand", [g], { shape: xShape });
}

const reduce: Rule<"reduceSum" | "reduceMean"> = (b, node, [dy], needs) => (dy && needs[0] ? [reduceBackward(b, node, dy)] : []);

/** concat: each input's gradient is its slice of dy. */
const concat: Rule<"concat"> = (b, node, [dy], needs) => {
  if (!dy) return [];
  const axis = normAxis(node.axis, b.shape(node.outputs[0]).length);
  let offset = 0;
  return node.inputs.map((x, i) => {
    const size = b.shape(x)[axis];
    offset += size;
    return needs[i] ? b.op("slice", [dy], { starts: [offset - size], ends: [offset], axes: [axis] }) : undefined;
  });
};

/** split: dy pieces concatenated back, zeros for pieces that do not reach the loss. */
const split: Rule<"split"> = (b, node, dys, needs) => {
  if (!needs[0] || dys.every((d) => !d)) return [];
  const pieces = node.outputs.map((out, i) => dys[i] ?? b.op("zeros", [], { shape: b.shape(out) }));
  return [b.op("concat", pieces, { axis: node.axis })];
};

/** slice: dy padded with zeros back to x's shape. */
const slice: Rule<"slice"> = (b, node, [dy], needs) => {
  if (!dy || !needs[0]) return [];
  const xShape = b.shape(node.inputs[0]);
  const { begin, size } = sliceBounds(node, xShape);
  return [b.op("pad", [dy], { pads: [...begin, ...xShape.map((d, i) => d - begin[i] - size[i])] })];
};

/** pad: the unpadded window of dy. */
const pad: Rule<"pad"> = (b, node, [dy], needs) => {
  if (!dy || !needs[0]) return [];
  const xShape = b.shape(node.inputs[0]);
  const starts = xShape.map((_, i) => node.pads[i]);
  return [b.op("slice", [dy], { starts, ends: starts.map((s, i) => s + xShape[i]), axes: xShape.map((_, i) => i) })];
};

export const SHAPE_RULES: Rules<"reshape" | "transpose" | "concat" | "split" | "slice" | "pad" | "expand" | "reduceSum" | "reduceMean"> = {
  reshape: (b, node, [dy], needs) => (dy && needs[0] ? [b.op("reshape", [dy], { shape: b.shape(node.inputs[0]) })] : []),
  transpose: (b, node, [dy], needs) => {
    if (!dy || !needs[0]) return [];
    const inverse = node.perm.slice();
    node.perm.forEach((p, i) => (inverse[p] = i));
    return [b.op("transpose", [dy], { perm: inverse })];
  },
  concat,
  split,
  slice,
  pad,
  expand: (b, node, [dy], needs) => (dy && needs[0] ? [b.unbroadcast(dy, b.shape(node.outputs[0]), b.shape(node.inputs[0]))] : []),
  reduceSum: reduce,
  reduceMean: reduce,
};
