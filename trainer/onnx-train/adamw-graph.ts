// Global-norm gradient clipping and the AdamW update written as IR nodes, so one ONNX Runtime
// session runs forward, backward AND the optimizer. The same update as trainer/train/optimizer.ts
// (decay only for rank ≥ 2 parameters, bias corrections of step t, ε added to sqrt(v̂), clip
// scale gradClip/norm only when norm > gradClip, the reported norm the pre-clip one), arranged
// for as few passes over the parameters as possible, since on CPU every elementwise op over
// 124M floats costs memory bandwidth (a quarter of a GPT-2-small step before this): the clip
// scale is folded into the moments' scalar factors, g² is shared with the norm, and the bias
// corrections, lr and decay become per-step scalars as PyTorch arranges them:
//   p ← p·(1 − lr·λ) − [lr·√c₂/c₁]·m / (√v + ε·√c₂)   (= p − lr·(m̂/(√v̂ + ε) + λ·p))
// The scalars are computed in float64 in JS; the result equals the AdamW class to fp32 rounding.
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
export const ADAMW_INPUTS = {
  /** lr·√c₂/c₁: the step size of m/(√v + ε̂). */
  stepSize: "adamw.step_size",
  /** ε·√c₂: ε added to √v̂, moved under the bias correction. */
  epsilon: "adamw.epsilon",
  /** 1 − lr·λ: the decoupled decay of matrices and embeddings. */
  decay: "adamw.decay",
} as const;
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
export function adamwScalars(t: number, lr: number, o: AdamWOptions): Record<string, number> {
  const c1 = 1 - o.beta1 ** t;
  const rootC2 = Math.sqrt(1 - o.beta2 ** t);
  return { [ADAMW_INPUTS.stepSize]: (lr * rootC2) / c1, [ADAMW_INPUTS.epsilon]: (o.epsilon ?? 1e-8) * rootC2, [ADAMW_INPUTS.decay]: 1 - lr * o.weightDecay };
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

/** The global norm of every gradient, sqrt(Σ_p Σ g²), from each gradient's squares `g²`. */
function globalNorm(g: GraphBuilder, squares: { name: string; rank: number }[]): string {
  // Every axis named: an empty list means "all" to ONNX but "none" to tf.sum.
  const sums = squares.map(({ name, rank }) => g.op("reduceSum", "adamw.norm", [name], { axes: [...Array(rank).keys()], keepDims: false }));
  const total = sums.slice(1).reduce((acc, s) => g.op("add", "adamw.norm", [acc, s], {}), sums[0]!);
  return g.op("sqrt", "adamw.norm", [total], {}, GRAD_NORM);
}

/**
 * The factors (1−β₁)·s and (1−β₂)·s² of g and g² in the moments' updates, s the clip scale:
 * gradClip/norm when norm > gradClip, else 1 (then, or without clipping, plain constants).
 */
function momentFactors(g: GraphBuilder, norm: string, o: AdamWOptions): [string, string] {
  const plain: [string, string] = [g.scalar("adamw", 1 - o.beta1), g.scalar("adamw", 1 - o.beta2)];
  if (!(o.gradClip > 0)) return plain;
  const clip = g.scalar("adamw.clip", o.gradClip);
  const over = isPositive(g, g.op("sub", "adamw.clip", [norm, clip], {}));
  const scale = g.op("div", "adamw.clip", [clip, norm], {});
  const clipped = [g.op("mul", "adamw.clip", [scale, plain[0]], {}), g.op("mul", "adamw.clip", [g.op("mul", "adamw.clip", [scale, scale], {}), plain[1]], {})];
  return [g.op("where", "adamw.clip", [over, clipped[0]!, plain[0]], {}), g.op("where", "adamw.clip", [over, clipped[1]!, plain[1]], {})];
}

/** The squares g² of every gradient and their global norm, output `grad_norm` (pre-clip). */
export function appendGradNorm(g: GraphBuilder, params: UpdatedParam[], gradOf: (param: string) => string): { squares: string[]; norm: string } {
  if (params.length === 0) throw new Error("AdamW needs at least one parameter");
  const squares = params.map((p) => g.op("mul", `adamw.${p.name}`, [gradOf(p.name), gradOf(p.name)], {}));
  const norm = globalNorm(g, squares.map((name, i) => ({ name, rank: params[i]!.shape.length })));
  g.output(GRAD_NORM, "float32", []);
  return { squares, norm };
}

/**
 * Clipping + AdamW for `params` from the gradients `gradOf(name)`, their squares and the global
 * `norm`: reads each parameter's current value (the value named as the parameter), declares the
 * moment inputs `m.<name>`, `v.<name>` and the scalar inputs; outputs `next/<name>`,
 * `next/m.<name>`, `next/v.<name>`. `decays` says which parameters the decay scalar multiplies.
 */
function appendUpdates(g: GraphBuilder, params: UpdatedParam[], grads: { gradOf: (param: string) => string; squares: string[]; norm: string }, o: AdamWOptions, decays: (p: UpdatedParam) => boolean): void {
  const stepSize = g.input(ADAMW_INPUTS.stepSize, "float32", []);
  const epsilon = g.input(ADAMW_INPUTS.epsilon, "float32", []);
  const decay = g.input(ADAMW_INPUTS.decay, "float32", []);
  const [gFactor, ggFactor] = momentFactors(g, grads.norm, o);
  const beta1 = g.scalar("adamw", o.beta1);
  const beta2 = g.scalar("adamw", o.beta2);
  params.forEach((p, i) => {
    const at = `adamw.${p.name}`;
    const [, mName, vName] = stateNames(p.name);
    const m0 = g.input(mName, "float32", p.shape);
    const v0 = g.input(vName, "float32", p.shape);
    const m = g.op("add", at, [g.op("mul", at, [m0, beta1], {}), g.op("mul", at, [grads.gradOf(p.name), gFactor], {})], {}, nextName(mName));
    const v = g.op("add", at, [g.op("mul", at, [v0, beta2], {}), g.op("mul", at, [grads.squares[i]!, ggFactor], {})], {}, nextName(vName));
    const denominator = g.op("add", at, [g.op("sqrt", at, [v], {}), epsilon], {});
    const update = g.op("div", at, [g.op("mul", at, [m, stepSize], {}), denominator], {});
    const kept = decays(p) && o.weightDecay !== 0 ? g.op("mul", at, [p.name, decay], {}) : p.name;
    g.op("sub", at, [kept, update], {}, nextName(p.name));
    for (const name of [p.name, mName, vName]) g.output(nextName(name), "float32", p.shape);
  });
}

/** AdamW decays only matrices and embeddings (rank ≥ 2), as nanoGPT groups them. */
export const decaysByRank = (p: { shape: number[] }): boolean => p.shape.length >= 2;

/**
 * Appends clipping + AdamW for `params` to `g`: reads each parameter's current value (the value
 * named as the parameter), its gradient `gradOf(name)`, and declares the moment inputs `m.<name>`,
 * `v.<name>` and the scalar inputs; outputs `next/<name>`, `next/m.<name>`, `next/v.<name>` and
 * `grad_norm`. Moments start as zeros (AdamW's zerosLike).
 */
export function appendAdamW(g: GraphBuilder, params: UpdatedParam[], gradOf: (param: string) => string, o: AdamWOptions): void {
  const { squares, norm } = appendGradNorm(g, params, gradOf);
  appendUpdates(g, params, { gradOf, squares, norm }, o, decaysByRank);
}

/** The names of a chunk update's flat slice: its parameters, gradient and norm (see buildChunkAdamWGraph). */
export const CHUNK = { param: "chunk", grad: "grad/chunk", norm: "chunk.grad_norm" } as const;

/**
 * AdamW over one flat slice of `size` entries of many parameters, for the memory-lean step
 * (./lean-step-session.ts): the gradients come from the step session, and so does their global
 * norm, an input here (`CHUNK.norm`) that sets the clip scale as in appendAdamW. Inputs
 * `chunk`, `m.chunk`, `v.chunk`, `grad/chunk` [size]; outputs `next/chunk`, `next/m.chunk`,
 * `next/v.chunk`. The decay scalar always multiplies: a slice of parameters AdamW does not
 * decay is fed `adamw.decay` = 1 (./lean-step-session.ts), which leaves it exactly unchanged.
 */
export function buildChunkAdamWGraph(size: number, o: AdamWOptions): Graph {
  const g = new GraphBuilder("adamw_chunk");
  const chunk: UpdatedParam = { name: CHUNK.param, shape: [size] };
  g.input(chunk.name, "float32", chunk.shape);
  g.input(CHUNK.grad, "float32", chunk.shape);
  const norm = g.input(CHUNK.norm, "float32", []);
  const squares = [g.op("mul", "adamw.chunk", [CHUNK.grad, CHUNK.grad], {})];
  appendUpdates(g, [chunk], { gradOf: () => CHUNK.grad, squares, norm }, o, () => true);
  return g.build();
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
