// ONNX Runtime training driven by a loss computed elsewhere: the unchanged tfjs loss functions
// (DPO family, Bradley-Terry, KTO, PPO/GRPO/RLOO) need only small per-row or per-token tensors, so
// 1. a forward session (params as inputs, the step session's own state tensors fed without a
//    copy) computes the seeded outputs on ORT: one value per row (a RowValue: summed completion
//    log-probs, or a reward head's score, trainer/reward/ort-rewards.ts), or several outputs of
//    any static shape (SeededOutputs: PPO's per-token log-probs, values and entropy, rl/ort-policy.ts),
// 2. tfjs evaluates the loss on them and differentiates it: dL/d(output), one tensor per output,
// 3. the step session takes those seeds as inputs and runs the backward pass from them plus
//    clipping and AdamW (a vector-Jacobian product: ./step-graph.ts vjpStepGraph).
// Each loss is thus written once. The price is a second forward pass inside the step session.
import * as ort from "onnxruntime-node";
import * as tf from "@tensorflow/tfjs-core";
import { GraphBuilder } from "../graph/builder";
import type { Graph } from "../graph/ir";
import { floatData, int64Tensor, OnnxSession } from "../onnx/session";
import type { AdamWOptions } from "../train/optimizer";
import { GRAD_NORM } from "./adamw-graph";
import type { StepMemoryChoice } from "./memory-mode";
import { ortProviders, type ResolvedEngine } from "./engine";
import { denseModelFeeds, OrtStepTrainer } from "./ort-trainer";
import { forwardGraph, modelInputShapes, seedName, stepModelBytes, vjpStepGraph, type StepGraph } from "./step-graph";
import type { StepSession } from "./step-session";

/** Per-row summed completion log-probs: the value a VJP step is seeded at. */
export const SEQUENCE_LOGPS = "sequence_logps";
export const TARGETS = "targets";
export const COMPLETION_MASK = "completion_mask";

/** Rows of token ids with their next-token targets and a 0/1 mask of the completion positions. */
export interface SequenceBatch {
  inputs: number[][];
  targets: number[][];
  mask: number[][];
}

/**
 * Adds the TARGETS and COMPLETION_MASK inputs ([batch, seq]) to `g` (a model graph with a
 * `logits` output) and mask·log softmax(logits)[target]; returns that [batch, seq] value (named
 * `out` when given) and the [batch, seq, vocab] log-softmax it picked from.
 */
export function appendTokenLogps(g: GraphBuilder, batch: number, seq: number, scope: string, out?: string): { tokenLogps: string; logSoftmax: string } {
  const targets = g.input(TARGETS, "int64", [batch, seq]);
  const mask = g.input(COMPLETION_MASK, "float32", [batch, seq]);
  const logSoftmax = g.op("logSoftmax", scope, ["logits"], { axis: -1 });
  const picked = g.op("gatherElements", scope, [logSoftmax, g.op("reshape", scope, [targets], { shape: [batch, seq, 1] })], { axis: -1 });
  const tokenLogps = g.op("mul", scope, [g.op("reshape", scope, [picked], { shape: [batch, seq] }), mask], {}, out);
  return { tokenLogps, logSoftmax };
}

/**
 * `model` plus Σ_t mask·log softmax(logits)[target] per row, output `sequence_logps` [batch]
 * (what trainer/policy/sequences.ts's sequenceLogps computes on tfjs).
 */
export function withSequenceLogps(model: Graph, batch: number, seq: number): Graph {
  const g = GraphBuilder.extending({ ...model, outputs: [] });
  const { tokenLogps } = appendTokenLogps(g, batch, seq, "seq_logps");
  g.op("reduceSum", "seq_logps", [tokenLogps], { axes: [1], keepDims: false }, SEQUENCE_LOGPS);
  g.output(SEQUENCE_LOGPS, "float32", [batch]);
  return g.build();
}

/** The inputs a SequenceBatch feeds besides input_ids: next-token targets and the completion mask. */
export const sequenceInputShapes = (batch: number, seq: number): Record<string, number[]> => ({ [TARGETS]: [batch, seq], [COMPLETION_MASK]: [batch, seq] });

export function sequenceFeeds(b: SequenceBatch, batch: number, seq: number): Record<string, ort.Tensor> {
  return {
    [TARGETS]: int64Tensor(b.targets.flat(), [batch, seq]),
    [COMPLETION_MASK]: new ort.Tensor("float32", Float32Array.from(b.mask.flat()), [batch, seq]),
  };
}

/**
 * The outputs a VJP step is seeded at: how they extend the model graph (each an output of static
 * shape), the extra inputs that takes, and how a batch of rows `B` feeds them besides input_ids.
 */
export interface SeededOutputs<B extends { inputs: number[][] }> {
  outputs: string[];
  extend: (model: Graph, batch: number, seq: number) => Graph;
  inputShapes: (batch: number, seq: number) => Record<string, number[]>;
  feeds: (b: B, batch: number, seq: number) => Record<string, ort.Tensor>;
}

/** The common case: one value per row, output `name` [batch]. */
export type RowValue<B extends { inputs: number[][] }> = Omit<SeededOutputs<B>, "outputs"> & { name: string };

/** The DPO family's value: each row's summed completion log-probs (the default). */
export const SEQUENCE_LOGPS_VALUE: RowValue<SequenceBatch> = {
  name: SEQUENCE_LOGPS,
  extend: withSequenceLogps,
  inputShapes: sequenceInputShapes,
  feeds: sequenceFeeds,
};

export interface OrtVjpTrainerOptions {
  graph: Graph;
  weights: Record<string, Float32Array>;
  adamw: AdamWOptions;
  batch: number;
  seq: number;
  threads?: number;
  /** ORT execution providers of both sessions (default CPU). */
  executionProviders?: ("cuda" | "cpu")[];
  /** The step's memory mode (default auto, ./memory-mode.ts) and the lean step's AdamW chunk (tests). */
  memory?: StepMemoryChoice;
  leanChunkSize?: number;
  /** The graphs when already built (the engine choice builds them as its check that ORT can train). */
  plan?: VjpPlan;
}

/** What a VJP trainer is seeded at: several outputs, or one row `value` (default: SEQUENCE_LOGPS_VALUE, for SequenceBatch rows). */
export interface SeededChoice<B extends { inputs: number[][] }> {
  value?: RowValue<B>;
  outputs?: SeededOutputs<B>;
}

/** The graphs of a VJP trainer: the step (backward from the seeds, clipping, AdamW), the forward half, the seeds' shapes. */
export interface VjpPlan {
  step: StepGraph;
  forward: Graph;
  outputShapes: Record<string, number[]>;
}

/** A resolved engine (./engine.ts resolveEngineBuilding) with, on ORT, the VJP graphs its check built. */
export type VjpEngine = ResolvedEngine & { plan?: VjpPlan };

/** What a run's VJP trainer takes from the engine chosen: threads, provider, the graphs already built. */
export interface OrtEngineOptions {
  threads: number;
  provider?: "cuda" | "cpu";
  plan?: VjpPlan;
}

export function ortEngineOptions(engine: Extract<VjpEngine, { kind: "onnx" }>): OrtEngineOptions {
  return { threads: engine.threads, provider: engine.provider, plan: engine.plan };
}

/** The OrtVjpTrainer options of those. */
export function vjpTrainerEngine(o: OrtEngineOptions): Pick<OrtVjpTrainerOptions, "threads" | "executionProviders" | "plan"> {
  return { threads: o.threads, executionProviders: ortProviders(o.provider ?? "cpu"), plan: o.plan };
}

function seededOf<B extends { inputs: number[][] }>(o: SeededChoice<B>): SeededOutputs<B> {
  const value = o.value ?? (SEQUENCE_LOGPS_VALUE as unknown as RowValue<B>);
  return o.outputs ?? { ...value, outputs: [value.name] };
}

/** A loss of the seeded outputs (tensors of their graph shapes, by name), for tf.valueAndGrads. */
export type OutputsLoss = (outputs: Record<string, tf.Tensor>) => tf.Scalar;

export class OrtVjpTrainer<B extends { inputs: number[][] } = SequenceBatch> extends OrtStepTrainer {
  private readonly dense: Record<string, ort.Tensor>;

  private constructor(
    session: StepSession, step: StepGraph, private readonly forwardSession: OnnxSession, adamw: AdamWOptions,
    // The step's shape only: the options also hold the initial weights, which must not live all run.
    private readonly shape: { batch: number; seq: number },
    private readonly seeded: SeededOutputs<B>, private readonly shapes: Record<string, number[]>, threads: number,
  ) {
    super(session, step, adamw, threads);
    this.dense = denseModelFeeds(shape.batch, shape.seq);
  }

  /** The graphs a trainer with these options runs (throws when the model has an op ORT cannot differentiate). */
  static plan<B extends { inputs: number[][] }>(o: Pick<OrtVjpTrainerOptions, "graph" | "adamw" | "batch" | "seq"> & SeededChoice<B>): VjpPlan {
    const seeded = seededOf(o);
    const extended = seeded.extend(o.graph, o.batch, o.seq);
    const shapes = { ...modelInputShapes(o.graph, o), ...seeded.inputShapes(o.batch, o.seq) };
    return {
      step: vjpStepGraph(extended, seeded.outputs, shapes, o.adamw),
      forward: forwardGraph(extended, seeded.outputs, shapes),
      outputShapes: Object.fromEntries(seeded.outputs.map((name) => [name, staticShape(extended, name)])),
    };
  }

  /** A trainer seeded at `outputs`, or at one row `value` (default: SEQUENCE_LOGPS_VALUE, for SequenceBatch rows). */
  static async create<B extends { inputs: number[][] } = SequenceBatch>(o: OrtVjpTrainerOptions & SeededChoice<B>): Promise<OrtVjpTrainer<B>> {
    const plan = o.plan ?? OrtVjpTrainer.plan(o);
    const { session, threads } = await OrtStepTrainer.open(plan.step, o);
    const forward = await OnnxSession.create(stepModelBytes(plan.forward), { intraOpNumThreads: threads, executionProviders: o.executionProviders });
    const trainer = new OrtVjpTrainer<B>(session, plan.step, forward, o.adamw, { batch: o.batch, seq: o.seq }, seededOf(o), plan.outputShapes, threads);
    trainer.setWeights(o.weights);
    return trainer;
  }

  private batchFeeds(b: B): Record<string, ort.Tensor> {
    const { batch: rows, seq } = this.shape;
    if (b.inputs.length !== rows || b.inputs.some((r) => r.length !== seq)) throw new Error(`this step graph trains [${rows}, ${seq}] batches`);
    return { ...this.dense, input_ids: int64Tensor(b.inputs.flat(), [rows, seq]), ...this.seeded.feeds(b, rows, seq) };
  }

  /** Every seeded output under the current weights, by name. */
  async forward(b: B): Promise<Record<string, Float32Array>> {
    const params = Object.fromEntries(this.stepGraph.params.map((p) => [p.name, this.session.state.view(p.name)]));
    const out = await this.forwardSession.run({ ...this.batchFeeds(b), ...params }, this.seeded.outputs);
    return Object.fromEntries(this.seeded.outputs.map((name) => [name, floatData(out[name]!)]));
  }

  /** The update from dL/d(output) = `seeds[output]` (each of the output's shape); returns the pre-clip gradient norm. */
  async applyOutputSeeds(b: B, seeds: Record<string, Float32Array>, lr: number): Promise<number> {
    const feeds = this.batchFeeds(b);
    for (const name of this.seeded.outputs) feeds[seedName(name)] = new ort.Tensor("float32", seeds[name]!, this.shapes[name]!);
    const out = await this.update(feeds, lr, [GRAD_NORM]);
    return floatData(out[GRAD_NORM]!)[0]!;
  }

  /**
   * One step of a loss written in tfjs over the seeded outputs: forward on ORT, the loss and its
   * gradient on tfjs, the backward and AdamW on ORT. Returns the loss before the update and the seeds.
   */
  async stepOutputs(b: B, loss: OutputsLoss, lr: number): Promise<{ loss: number; gradNorm: number; seeds: Record<string, Float32Array> }> {
    const values = await this.forward(b);
    const names = this.seeded.outputs;
    const { value, seeds } = tf.tidy(() => {
      const inputs = names.map((name) => tf.tensor(values[name]!, this.shapes[name]!));
      const { value: v, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => loss(Object.fromEntries(names.map((name, i) => [name, xs[i]!]))))(inputs);
      return { value: v.dataSync()[0]!, seeds: Object.fromEntries(names.map((name, i) => [name, grads[i]!.dataSync() as Float32Array])) };
    });
    // As the tfjs loop's step: a diverged loss is reported without an update (the loop then stops the run).
    if (!Number.isFinite(value)) return { loss: value, gradNorm: Number.NaN, seeds };
    return { loss: value, gradNorm: await this.applyOutputSeeds(b, seeds, lr), seeds };
  }

  /** The one-output case: each row's value (summed completion log-probs by default). */
  async rowValues(b: B): Promise<Float32Array> {
    return (await this.forward(b))[this.seeded.outputs[0]!]!;
  }

  /** The one-output case: the update from dL/d(row values) = `seeds` [batch]. */
  async applySeeds(b: B, seeds: Float32Array, lr: number): Promise<number> {
    return this.applyOutputSeeds(b, { [this.seeded.outputs[0]!]: seeds }, lr);
  }

  /** The one-output case of stepOutputs: a loss of the rows' values [batch]. */
  async step(b: B, loss: (values: tf.Tensor1D) => tf.Scalar, lr: number): Promise<{ loss: number; gradNorm: number }> {
    const first = this.seeded.outputs[0]!;
    const r = await this.stepOutputs(b, (outputs) => loss(outputs[first] as tf.Tensor1D), lr);
    return { loss: r.loss, gradNorm: r.gradNorm };
  }

  override async release(): Promise<void> {
    await this.forwardSession.release();
    await super.release();
  }
}

/** The static shape of `graph`'s output `name` (seeds must have it). */
function staticShape(graph: Graph, name: string): number[] {
  const spec = graph.outputs.find((o) => o.name === name);
  if (!spec || spec.shape.some((d) => typeof d !== "number")) throw new Error(`a seeded output needs a static shape: "${name}" has ${spec ? `[${spec.shape}]` : "none"}`);
  return spec.shape as number[];
}
