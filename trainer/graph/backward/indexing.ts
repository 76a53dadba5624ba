// Backward rules of the indexing ops: a gather's gradient is a scatter-add of dy into zeros made
// at run time (repeated indices sum), and a scatter-add's gradient is a gather.
import type { Rules } from "./types";
import { normAxis } from "../shapes";

export const INDEXING_RULES: Rules<"gather" | "gatherElements" | "scatterElementsAdd" | "scatterNDAdd"> = {
  // y = data[:axis] × indices × data[axis+1:]: the index dims of dy go first, each index then
  // addresses a slice of a zeros tensor with `axis` leading (ScatterND), moved back in place.
  gather: (b, node, [dy], needs) => {
    if (!dy || !needs[0]) return [];
    const [data, indices] = node.inputs;
    const dShape = b.shape(data);
    const iShape = b.shape(indices);
    const axis = normAxis(node.axis, dShape.length);
    const ri = iShape.length;
    const coords = b.op("reshape", [indices], { shape: [...iShape, 1] });
    if (axis === 0) return [b.op("scatterNDAdd", [b.op("zeros", [], { shape: dShape }), coords, dy], {})];
    const yRank = dShape.length - 1 + ri;
    const indexFirst = [...Array.from({ length: ri }, (_, i) => axis + i), ...Array.from({ length: yRank }, (_, i) => i).filter((i) => i < axis || i >= axis + ri)];
    const leading = [dShape[axis], ...dShape.slice(0, axis), ...dShape.slice(axis + 1)];
    const scattered = b.op("scatterNDAdd", [b.op("zeros", [], { shape: leading }), coords, b.op("transpose", [dy], { perm: indexFirst })], {});
    const back = dShape.map((_, j) => (j < axis ? j + 1 : j === axis ? 0 : j));
    return [b.op("transpose", [scattered], { perm: back })];
  },
  gatherElements: (b, node, [dy], needs) => {
    if (!dy || !needs[0]) return [];
    const [data, indices] = node.inputs;
    return [b.op("scatterElementsAdd", [b.op("zeros", [], { shape: b.shape(data) }), indices, dy], { axis: node.axis })];
  },
  scatterElementsAdd: (b, node, [dy], needs) => (dy ? [needs[0] ? dy : undefined, undefined, needs[2] ? b.op("gatherElements", [dy, node.inputs[1]], { axis: node.axis }) : undefined] : []),
  scatterNDAdd: (_b, node, [dy], needs) => {
    if (dy && needs[2]) throw new Error(`${node.name}: no gradient for scatterNDAdd's updates (the IR has no gatherND)`);
    return dy ? [needs[0] ? dy : undefined] : [];
  },
};
