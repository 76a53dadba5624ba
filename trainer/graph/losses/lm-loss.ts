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
  /** Next-token alignment inside the graph: logits[:, :-1] predict targets[:, 1:] (mask[:, 1:]). */
  shift?: boolean;
  /** Output value name (default "loss"). */
  out?: string;
}

/** Appends the loss nodes to `g` and returns the scalar loss value's name. */
export function addLmLoss(g: GraphBuilder, o: LmLossOptions): string {
  const name = "lm_loss";
  const out = o.out ?? "loss";
  const tail = (v: string) => g.op("slice", name, [v], { starts: [1], ends: [2 ** 53], axes: [1] });
  const logits = o.shift ? g.op("slice", name, [o.logits], { starts: [0], ends: [-1], axes: [1] }) : o.logits;
  const targets = o.shift ? tail(o.targets) : o.targets;
  const logp = g.op("logSoftmax", name, [logits], { axis: -1 }); // [batch, seq, vocab]
  const index = g.op("reshape", name, [targets], { shape: [0, 0, 1] });
  const nll = g.op("neg", name, [g.op("gatherElements", name, [logp, index], { axis: -1 })], {}); // [batch, seq, 1]
  const all = { axes: [0, 1, 2], keepDims: false };
  if (!o.mask) return g.op("reduceMean", name, [nll], all, out);
  const mask = g.op("reshape", name, [o.shift ? tail(o.mask) : o.mask], { shape: [0, 0, 1] });
  const weighted = g.op("reduceSum", name, [g.op("mul", name, [nll, mask], {})], all);
  return g.op("div", name, [weighted, g.op("reduceSum", name, [mask], all)], {}, out);
}

/**
 * `graph` plus an LM loss on its `logits` output: new inputs `targets` (int64 [batch, seq]) and,
 * with `masked`, `loss_mask` (float32 [batch, seq]); new output "loss" (float32 scalar).
 */
export function withLmLoss(graph: Graph, { masked = false, shift = false, logits = "logits" } = {}): Graph {
  const g = new GraphBuilder(graph.name);
  g.inputs.push(...graph.inputs);
  g.params.push(...graph.params);
  g.nodes.push(...graph.nodes);
  g.outputs.push(...graph.outputs);
  const targets = g.input("targets", "int64", ["batch", "seq"]);
  const mask = masked ? g.input("loss_mask", "float32", ["batch", "seq"]) : undefined;
  const loss = addLmLoss(g, { logits, targets, mask, shift });
  g.output(loss, "float32", []);
  return g.build();
}
