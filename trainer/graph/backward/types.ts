// What every backward rule sees: an emitter for new IR nodes (the backward pass is more IR, so
// tfjs and ONNX Runtime run the same gradient graph) and the static shapes of forward values.
import type { Attrs } from "../builder";
import type { GraphNode, OpName } from "../ir";

type NodeIn<N, K> = N extends { op: infer O } ? ([K] extends [O] ? N : never) : never;
/** The IR node type of op K (grouped members such as "softmax" | "logSoftmax" match). */
export type NodeOf<K extends OpName> = NodeIn<GraphNode, K>;

export interface Backward {
  /** Appends one backward node and returns its output. */
  op<K extends OpName>(op: K, inputs: string[], attrs: Attrs<K>): string;
  /** A float32 scalar constant. */
  scalar(value: number): string;
  /** Static shape of a forward value (input, param or node output). */
  shape(value: string): number[];
  /** The backward node that produced `value` (undefined for forward values): for peepholes. */
  producer(value: string): GraphNode | undefined;
  /** Sums `grad` (of shape `gradShape`) over broadcast axes so it gets `target`'s shape. */
  unbroadcast(grad: string, gradShape: number[], target: number[]): string;
}

/**
 * The backward rule of op K: given dL/d(output) per output (undefined when an output does not
 * reach the loss) and which inputs need a gradient, returns dL/d(input) per input (undefined
 * where none is needed or the input has no float gradient). Emits only what `needs` asks for.
 */
export type Rule<K extends OpName> = (b: Backward, node: NodeOf<K>, dys: (string | undefined)[], needs: boolean[]) => (string | undefined)[];

export type Rules<K extends OpName> = { [P in K]: Rule<P> };

/** For ops whose outputs carry no float gradient to their inputs (masks, constants, integer paths). */
export const noGradient: Rule<OpName> = () => [];
