// One backward rule per primitive op. The record's type lists every OpName, so adding an op to
// ir.ts without deciding its gradient is a compile error.
import type { OpName } from "../ir";
import { ELEMENTWISE_RULES } from "./elementwise";
import { INDEXING_RULES } from "./indexing";
import { LINALG_RULES } from "./linalg";
import { NORMALIZATION_RULES } from "./normalization";
import { SHAPE_RULES } from "./shape";
import { noGradient, type Rules } from "./types";

export type { Backward, Rule } from "./types";

export const BACKWARD: Rules<OpName> = {
  ...ELEMENTWISE_RULES,
  ...LINALG_RULES,
  ...NORMALIZATION_RULES,
  ...SHAPE_RULES,
  ...INDEXING_RULES,
  // No float gradient: a bool mask of positions, and values made from nothing.
  causalMask: noGradient,
  constant: noGradient,
  zeros: noGradient,
};
