// matmul's backward with numpy batch broadcasting: dA = dy·Bᵀ and dB = Aᵀ·dy at the broadcast
// batch shape, then summed back to each operand's shape.
import { broadcastShapes } from "../shapes";
import type { Backward, Rules } from "./types";

/** Swaps the last two axes of a value of rank `rank`. */
function swapLast(b: Backward, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return b.op("transpose", [x], { perm });
}

export const LINALG_RULES: Rules<"matmul"> = {
  matmul: (b, node, [dy], needs) => {
    if (!dy) return [];
    const [a, w] = node.inputs;
    const aShape = b.shape(a);
    const wShape = b.shape(w);
    const batch = broadcastShapes(aShape.slice(0, -2), wShape.slice(0, -2));
    const [m, k] = aShape.slice(-2);
    const n = wShape[wShape.length - 1];
    let da: string | undefined;
    let dw: string | undefined;
    if (needs[0]) da = b.unbroadcast(b.op("matmul", [dy, swapLast(b, w, wShape.length)], {}), [...batch, m, k], aShape);
    if (needs[1] && wShape.length === 2 && aShape.length > 2) {
      // A shared [k, n] weight (every Linear): one GEMM over all rows, not a batch of them summed.
      const rows = b.op("reshape", [a], { shape: [-1, k] });
      dw = b.op("matmul", [b.op("transpose", [rows], { perm: [1, 0] }), b.op("reshape", [dy], { shape: [-1, n] })], {});
    } else if (needs[1]) {
      dw = b.unbroadcast(b.op("matmul", [swapLast(b, a, aShape.length), dy], {}), [...batch, k, n], wShape);
    }
    return [da, dw];
  },
};
