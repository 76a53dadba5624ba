// The mean next-token cross-entropy written in IR, so the loss is expressed once and differentiated
// by the autodiff (trainer/graph/autodiff.ts) for tfjs and ONNX Runtime alike. Same numbers as
// trainer/losses.ts's lmLoss (which tfjs training uses), except that an all-zero mask divides by
// zero here (the IR has no max op): callers feed at least one counted position.
import { GraphBuilder } from "../builder";
import type { Graph } from "../ir";

export interface LmLossOptions {
  /** float32 [batch, seq, vocab]. */
  logits: string;
  /** int64 [batch, seq]: the token each logits position should predict (or, with `shift`, the input ids). */
  targets: string;
  /** Optional float32 [batch, seq] weights (1 = counted), aligned with `targets` as given. */
  mask?: string;
  /** Next-token alignment inside the graph: logits[:, t] predict targets[:, t + 1] (weighted by mask[:, t + 1]); the last position is not counted. */
  shift?: boolean;
  /** Output value name (default "loss"). */
  out?: string;
}

/** Appends the loss nodes to `g` and returns the scalar loss value's name. */
export function addLmLoss(g: GraphBuilder, o: LmLossOptions): string {
  const name = "lm_loss";
  const out = o.out ?? "loss";
  const { targets, weights } = o.shift ? shifted(g, name, o.targets, o.mask) : { targets: o.targets, weights: o.mask };
  const logp = g.op("logSoftmax", name, [o.logits], { axis: -1 }); // [batch, seq, vocab]
  const index = g.op("reshape", name, [targets], { shape: [0, 0, 1] });
  const nll = g.op("neg", name, [g.op("gatherElements", name, [logp, index], { axis: -1 })], {}); // [batch, seq, 1]
  const all = { axes: [0, 1, 2], keepDims: false };
  if (!weights) return g.op("reduceMean", name, [nll], all, out);
  const w = g.op("reshape", name, [weights], { shape: [0, 0, 1] });
  const weighted = g.op("reduceSum", name, [g.op("mul", name, [nll, w], {})], all);
  return g.op("div", name, [weighted, g.op("reduceSum", name, [w], all)], {}, out);
}

/**
 * Next-token alignment without slicing the logits (a copy of the biggest tensor in the step, and
 * a pad of its gradient): targets move one position left, and the last position, which has no
 * next token, gets weight 0 (its target is any valid id: the first one).
 */
function shifted(g: GraphBuilder, name: string, ids: string, mask?: string): { targets: string; weights: string } {
  const cols = (v: string, start: number, end: number) => g.op("slice", name, [v], { starts: [start], ends: [end], axes: [1] });
  const targets = g.op("concat", name, [cols(ids, 1, 2 ** 53), cols(ids, 0, 1)], { axis: 1 });
  const zero = g.scalar(name, 0);
  // Weights of the right dynamic shape from the ids themselves: cast·0 (+ 1 where counted).
  const ones = (v: string) => g.op("add", name, [g.op("mul", name, [g.op("cast", name, [v], { to: "float32" }), zero], {}), g.scalar(name, 1)], {});
  const counted = mask ? cols(mask, 1, 2 ** 53) : ones(cols(ids, 1, 2 ** 53));
  const last = g.op("mul", name, [g.op("cast", name, [cols(ids, 0, 1)], { to: "float32" }), zero], {});
  return { targets, weights: g.op("concat", name, [counted, last], { axis: 1 }) };
}

/**
 * `graph` plus an LM loss on its `logits` output: new inputs `targets` (int64 [batch, seq]) and,
 * with `masked`, `loss_mask` (float32 [batch, seq]); new output "loss" (float32 scalar).
 */
export function withLmLoss(graph: Graph, { masked = false, shift = false, logits = "logits" } = {}): Graph {
  const g = GraphBuilder.extending(graph);
  const targets = g.input("targets", "int64", ["batch", "seq"]);
  const mask = masked ? g.input("loss_mask", "float32", ["batch", "seq"]) : undefined;
  const loss = addLmLoss(g, { logits, targets, mask, shift });
  g.output(loss, "float32", []);
  return g.build();
}
