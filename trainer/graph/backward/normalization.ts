// Backward rules of layer norm and (log-)softmax, written with the forward statistics recomputed
// from x (the forward op is fused, so its mean and variance are not values in the graph).
import { normAxis } from "../shapes";
import type { Backward, Rule, Rules } from "./types";

/**
 * y = x̂·scale + bias with x̂ = (x − mean)·rstd over the last axis:
 * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·scale; dscale = Σ dy·x̂; dbias = Σ dy.
 */
const layerNorm: Rule<"layerNorm"> = (b, node, [dy], needs) => {
  if (!dy) return [];
  const [x, scale, bias] = node.inputs;
  const xShape = b.shape(x);
  const last = [xShape.length - 1];
  const mean = (v: string) => b.op("reduceMean", [v], { axes: last, keepDims: true });
  const centered = b.op("sub", [x, mean(x)], {});
  const variance = mean(b.op("mul", [centered, centered], {}));
  const rstd = b.op("div", [b.scalar(1), b.op("sqrt", [b.op("add", [variance, b.scalar(node.epsilon)], {})], {})], {});
  const xHat = b.op("mul", [centered, rstd], {});
  let dx: string | undefined;
  if (needs[0]) {
    const g = b.op("mul", [dy, scale], {});
    const inner = b.op("sub", [b.op("sub", [g, mean(g)], {}), b.op("mul", [xHat, mean(b.op("mul", [g, xHat], {}))], {})], {});
    dx = b.op("mul", [rstd, inner], {});
  }
  return [
    dx,
    needs[1] ? b.unbroadcast(b.op("mul", [dy, xHat], {}), xShape, b.shape(scale)) : undefined,
    needs[2] ? b.unbroadcast(dy, xShape, b.shape(bias)) : undefined,
  ];
};

/** When dy is zeros with updates scattered along `axis` (a gatherElements' gradient), its parts. */
function pickedEntries(b: Backward, dy: string, axis: number, rank: number): { indices: string; updates: string } | undefined {
  const scatter = b.producer(dy);
  if (scatter?.op !== "scatterElementsAdd" || normAxis(scatter.axis, rank) !== axis) return undefined;
  return b.producer(scatter.inputs[0])?.op === "zeros" ? { indices: scatter.inputs[1], updates: scatter.inputs[2] } : undefined;
}

export const NORMALIZATION_RULES: Rules<"layerNorm" | "softmax" | "logSoftmax"> = {
  layerNorm,
  // dx = y·(dy − Σ dy·y)
  softmax: (b, node, [dy], needs) => {
    if (!dy || !needs[0]) return [];
    const y = node.outputs[0];
    const axes = [normAxis(node.axis, b.shape(y).length)];
    const dot = b.op("reduceSum", [b.op("mul", [dy, y], {})], { axes, keepDims: true });
    return [b.op("mul", [y, b.op("sub", [dy, dot], {})], {})];
  },
  // dx = dy − softmax(x)·Σ dy, with softmax(x) = exp(y)
  logSoftmax: (b, node, [dy], needs) => {
    if (!dy || !needs[0]) return [];
    const y = node.outputs[0];
    const rank = b.shape(y).length;
    const axis = normAxis(node.axis, rank);
    const softmax = b.op("exp", [y], {});
    const picked = pickedEntries(b, dy, axis, rank);
    if (picked) {
      // Cross-entropy (a gatherElements of the log-probs): dy is zeros but for the updates u at
      // the picked entries, so Σ dy = Σ u and dx = −softmax·Σu with u added in place: two
      // vocab-sized passes fewer than the general formula.
      const total = b.op("reduceSum", [picked.updates], { axes: [axis], keepDims: true });
      return [b.op("scatterElementsAdd", [b.op("mul", [softmax, b.op("neg", [total], {})], {}), picked.indices, picked.updates], { axis })];
    }
    const total = b.op("reduceSum", [dy], { axes: [axis], keepDims: true });
    return [b.op("sub", [dy, b.op("mul", [softmax, total], {})], {})];
  },
};
