// A whole training step as ONE graph for a fixed (batch, seq): the model's forward, a loss, the
// backward pass (trainer/graph/autodiff.ts) and clipping + AdamW (./adamw-graph.ts). Parameters
// and moments are graph INPUTS, never initializers, so one ONNX Runtime session serves every
// step and the step's `next/*` outputs become the next step's inputs (./step-session.ts).
// Two kinds of loss:
// - in the graph: the language-model loss (pretraining, SFT with a completion mask);
// - a vector-Jacobian product: the graph takes dL/d(model output) as an input (`seed/<output>`),
//   so a loss computed by the unchanged tfjs loss functions on small per-sequence tensors (DPO
//   family, Bradley-Terry, KTO, PPO/GRPO/RLOO) drives ORT's backward: each loss is written once.
import { gradientGraph, gradName } from "../graph/autodiff";
import { GraphBuilder } from "../graph/builder";
import type { Graph, ValueSpec } from "../graph/ir";
import { withLmLoss } from "../graph/losses/lm-loss";
import { exportGraph } from "../onnx/export";
import type { AdamWOptions } from "../train/optimizer";
import { appendAdamW, appendGradNorm, GRAD_NORM, momentName, type UpdatedParam } from "./adamw-graph";
import type { StateSpec } from "./step-session";

/** The fixed shape of a step, and the optimizer. */
export interface StepShape {
  batch: number;
  seq: number;
}

export interface StepGraph {
  /** The IR step graph: params as inputs, outputs `next/*`, `grad_norm` and the kept values. */
  graph: Graph;
  /** What AdamW updates. */
  params: UpdatedParam[];
  /** Parameters then moments: carried from step to step. */
  state: StateSpec[];
  /** Per-step inputs besides the state and the AdamW scalars (the batch, seeds). */
  feeds: ValueSpec[];
  /** Small outputs copied out every step (the loss, or the model outputs the seeds belong to). */
  outputs: string[];
  /**
   * The memory-lean step's graph, built on first use: the same forward and backward, outputs the
   * kept values, every gradient `grad/<param>` and `grad_norm`; AdamW then runs apart over flat
   * chunks of the state (./lean-step-session.ts).
   */
  leanGraph: () => Graph;
}

/** The name of the input holding dL/d(value) in a VJP step. */
export const seedName = (value: string): string => `seed/${value}`;

/** The LM step's extra inputs (next-token targets; SFT's completion mask) and its loss, as withLmLoss names them. */
export const LM_TARGETS = "targets";
export const LM_LOSS_MASK = "loss_mask";
export const LM_LOSS = "loss";

/** Inputs of the model graph at a step's fixed shape (no KV cache: total = seq). */
function modelInputShapes(model: Graph, s: StepShape): Record<string, number[]> {
  const dims: Record<string, number> = { batch: s.batch, seq: s.seq, total: s.seq };
  return Object.fromEntries(model.inputs.map((v) => [v.name, v.shape.map((d) => (typeof d === "number" ? d : dims[d] ?? fail(`input ${v.name}: unknown dim "${d}"`)))]));
}

function fail(message: string): never {
  throw new Error(message);
}

/** The same graph with every parameter turned into a float32 graph input of its static shape. */
export function paramsAsInputs(graph: Graph): Graph {
  return { ...graph, inputs: [...graph.inputs, ...graph.params.map((p): ValueSpec => ({ name: p.name, dtype: "float32", shape: p.shape }))], params: [] };
}

/** Gradient graph + AdamW, params as inputs, gradients kept inside (never copied out); and its lean form. */
function withUpdate(forward: Graph, grad: { loss?: string; seeds?: Record<string, string> }, inputShapes: Record<string, number[]>, keep: string[], adamw: AdamWOptions): StepGraph {
  const params: UpdatedParam[] = forward.params.map((p) => ({ name: p.name, shape: p.shape }));
  const withGrads = gradientGraph(forward, { ...grad, wrt: params.map((p) => p.name), inputShapes, keep });
  const g = GraphBuilder.extending(paramsAsInputs({ ...withGrads, outputs: withGrads.outputs.filter((o) => keep.includes(o.name)) }));
  const feeds = g.inputs.slice();
  appendAdamW(g, params, gradName, adamw);
  const state: StateSpec[] = params.flatMap((p) => [p, { name: momentName("m", p.name), shape: p.shape }, { name: momentName("v", p.name), shape: p.shape }]);
  const stateNames = new Set(params.map((p) => p.name));
  let lean: Graph | undefined;
  const leanGraph = () => (lean ??= gradientsAndNorm(withGrads, params));
  return { graph: g.build(), params, state, feeds: feeds.filter((v) => !stateNames.has(v.name)), outputs: [...keep, GRAD_NORM], leanGraph };
}

/** The gradient graph with params as inputs, every gradient and their global norm as outputs. */
function gradientsAndNorm(withGrads: Graph, params: UpdatedParam[]): Graph {
  const g = GraphBuilder.extending(paramsAsInputs(withGrads));
  appendGradNorm(g, params, gradName);
  return g.build();
}

/** Pretraining / SFT: the LM loss in the graph. Outputs `loss` and `grad_norm`. */
export function lmStepGraph(model: Graph, s: StepShape & { adamw: AdamWOptions; completionMask?: boolean }): StepGraph {
  const forward = withLmLoss(model, { masked: s.completionMask });
  const shapes = { ...modelInputShapes(model, s), [LM_TARGETS]: [s.batch, s.seq], ...(s.completionMask ? { [LM_LOSS_MASK]: [s.batch, s.seq] } : {}) };
  return withUpdate(forward, { loss: LM_LOSS }, shapes, [LM_LOSS], s.adamw);
}

/**
 * The VJP form: `outputs` are values of `forward` (a model graph, possibly extended with small
 * per-sequence heads such as summed completion log-probs); the step takes `seed/<output>` =
 * dL/d(output) as inputs. Run `forwardGraph` first to get the outputs the loss needs.
 */
export function vjpStepGraph(forward: Graph, outputs: string[], shapes: Record<string, number[]>, adamw: AdamWOptions): StepGraph {
  return withUpdate(forward, { seeds: Object.fromEntries(outputs.map((o) => [o, seedName(o)])) }, shapes, [], adamw);
}

/** The forward half alone (params as inputs), for the VJP path's first pass. */
export function forwardGraph(forward: Graph, outputs: string[], shapes: Record<string, number[]>): Graph {
  const kept = outputs.map((name) => forward.outputs.find((o) => o.name === name) ?? fail(`forward graph has no output "${name}"`));
  return paramsAsInputs({ ...forward, inputs: forward.inputs.map((v) => ({ ...v, shape: shapes[v.name] ?? v.shape })), outputs: kept });
}

/** ONNX model bytes of a step graph (no initializers but small constants). */
export function stepModelBytes(graph: Graph): Uint8Array {
  return exportGraph(graph, (name) => fail(`step graphs hold no weights, yet "${name}" was asked for`));
}

export { modelInputShapes };
