// Global-norm gradient clipping and the AdamW update written as IR nodes, so one ONNX Runtime
// session runs forward, backward AND the optimizer. Numerically the same as trainer/train/
// optimizer.ts, op for op in the same order: decay only for rank ≥ 2 parameters, bias corrections
// fed per step (computed in float64 in JS, exactly as AdamW computes them), ε added to sqrt(v̂),
// clip scale gradClip/norm only when norm > gradClip, and the reported norm is the pre-clip one.
// Moments are named as AdamW.stateToRaw() names them ("m.<param>", "v.<param>"), so checkpoints
// and resume keep one format whichever engine trained.
import { GraphBuilder } from "../graph/builder";
import type { Graph } from "../graph/ir";
import type { AdamWOptions } from "../train/optimizer";

/** A parameter the optimizer updates: its HF name and static shape. */
export interface UpdatedParam {
  name: string;
  shape: number[];
}

/** Scalar float inputs of the update, fed every step (see `adamwScalars`). */
export const ADAMW_INPUTS = { lr: "adamw.lr", bias1: "adamw.bias1", bias2: "adamw.bias2" } as const;
/** The pre-clip global gradient norm (a scalar output). */
export const GRAD_NORM = "grad_norm";

/** The optimizer-state name of a moment, as in AdamW.stateToRaw(). */
export const momentName = (kind: "m" | "v", param: string): string => `${kind}.${param}`;
/** The output carrying a value's state after the step: `next/<param>`, `next/m.<param>`, `next/v.<param>`. */
export const nextName = (value: string): string => `next/${value}`;

/** The values a step reads for one parameter and writes back: the parameter, then its two moments. */
export function stateNames(param: string): [string, string, string] {
  return [param, momentName("m", param), momentName("v", param)];
}

/** The step's scalar feeds for optimizer step `t` (1-based: AdamW's `t` after its increment). */
export function adamwScalars(t: number, lr: number, o: Pick<AdamWOptions, "beta1" | "beta2">): Record<(typeof ADAMW_INPUTS)[keyof typeof ADAMW_INPUTS], number> {
  return { [ADAMW_INPUTS.lr]: lr, [ADAMW_INPUTS.bias1]: 1 - o.beta1 ** t, [ADAMW_INPUTS.bias2]: 1 - o.beta2 ** t } as never;
}

/**
 * max(x, 0) > 0 as a bool without a comparison op: x + sqrt(x·x) is exactly 0 for x ≤ 0 (sqrt of a
 * correctly rounded square is |x| in binary floating point, barring underflow below ~1e-19) and
 * 2x otherwise; casting to bool tests non-zero, as ONNX Cast and tf.cast both do.
 */
function isPositive(g: GraphBuilder, x: string): string {
  const relu2 = g.op("add", "adamw.clip", [x, g.op("sqrt", "adamw.clip", [g.op("mul", "adamw.clip", [x, x], {})], {})], {});
  return g.op("cast", "adamw.clip", [relu2], { to: "bool" });
}

/** The global norm of every gradient: sqrt(Σ_p Σ g²), as AdamW sums it. */
function globalNorm(g: GraphBuilder, grads: { name: string; rank: number }[]): string {
  // Every axis named: an empty list means "all" to ONNX but "none" to tf.sum.
  const sums = grads.map(({ name, rank }) => g.op("reduceSum", "adamw.norm", [g.op("mul", "adamw.norm", [name, name], {})], { axes: [...Array(rank).keys()], keepDims: false }));
  const total = sums.slice(1).reduce((acc, s) => g.op("add", "adamw.norm", [acc, s], {}), sums[0]!);
  return g.op("sqrt", "adamw.norm", [total], {}, GRAD_NORM);
}

/**
 * Appends clipping + AdamW for `params` to `g`: reads each parameter's current value (the value
 * named as the parameter), its gradient `gradOf(name)`, and declares the moment inputs `m.<name>`,
 * `v.<name>` and the scalar inputs; outputs `next/<name>`, `next/m.<name>`, `next/v.<name>` and
 * `grad_norm`. Moments start as zeros (AdamW's zerosLike).
 */
export function appendAdamW(g: GraphBuilder, params: UpdatedParam[], gradOf: (param: string) => string, o: AdamWOptions): void {
  if (params.length === 0) throw new Error("AdamW needs at least one parameter");
  const eps = o.epsilon ?? 1e-8;
  const lr = g.input(ADAMW_INPUTS.lr, "float32", []);
  const bias1 = g.input(ADAMW_INPUTS.bias1, "float32", []);
  const bias2 = g.input(ADAMW_INPUTS.bias2, "float32", []);
  const norm = globalNorm(g, params.map((p) => ({ name: gradOf(p.name), rank: p.shape.length })));
  g.output(GRAD_NORM, "float32", []);
  let scale: string | null = null;
  if (o.gradClip > 0) {
    const clip = g.scalar("adamw.clip", o.gradClip);
    const over = isPositive(g, g.op("sub", "adamw.clip", [norm, clip], {}));
    scale = g.op("where", "adamw.clip", [over, g.op("div", "adamw.clip", [clip, norm], {}), g.scalar("adamw.clip", 1)], {});
  }
  const beta1 = g.scalar("adamw", o.beta1);
  const beta2 = g.scalar("adamw", o.beta2);
  const oneMinusBeta1 = g.scalar("adamw", 1 - o.beta1);
  const oneMinusBeta2 = g.scalar("adamw", 1 - o.beta2);
  const epsilon = g.scalar("adamw", eps);
  const decayRate = o.weightDecay !== 0 ? g.scalar("adamw", o.weightDecay) : null;
  for (const p of params) {
    const at = `adamw.${p.name}`;
    const [, mName, vName] = stateNames(p.name);
    const m0 = g.input(mName, "float32", p.shape);
    const v0 = g.input(vName, "float32", p.shape);
    const grad = scale ? g.op("mul", at, [gradOf(p.name), scale], {}) : gradOf(p.name);
    const m = g.op("add", at, [g.op("mul", at, [m0, beta1], {}), g.op("mul", at, [grad, oneMinusBeta1], {})], {}, nextName(mName));
    const v = g.op("add", at, [g.op("mul", at, [v0, beta2], {}), g.op("mul", at, [g.op("mul", at, [grad, grad], {}), oneMinusBeta2], {})], {}, nextName(vName));
    const mHat = g.op("div", at, [m, bias1], {});
    const vHat = g.op("div", at, [v, bias2], {});
    let update = g.op("div", at, [mHat, g.op("add", at, [g.op("sqrt", at, [vHat], {}), epsilon], {})], {});
    // AdamW adds p·λ only to matrices and embeddings (rank ≥ 2), as nanoGPT groups them.
    if (p.shape.length >= 2 && decayRate) update = g.op("add", at, [update, g.op("mul", at, [p.name, decayRate], {})], {});
    g.op("sub", at, [p.name, g.op("mul", at, [update, lr], {})], {}, nextName(p.name));
    for (const name of [p.name, mName, vName]) g.output(nextName(name), "float32", p.shape);
  }
}

/** The optimizer alone, gradients as inputs `grad/<name>` (tests, and engines that bring their own gradients). */
export function buildAdamWGraph(params: UpdatedParam[], o: AdamWOptions): Graph {
  const g = new GraphBuilder("adamw");
  for (const p of params) g.input(p.name, "float32", p.shape);
  const gradOf = (name: string) => `grad/${name}`;
  for (const p of params) g.input(gradOf(p.name), "float32", p.shape);
  appendAdamW(g, params, gradOf, o);
  return g.build();
}
