// ONNX Runtime training driven by a loss computed elsewhere: the unchanged tfjs loss functions
// (DPO family, Bradley-Terry, KTO, PPO/GRPO/RLOO) need only small per-sequence tensors, so
// 1. a forward session (params as inputs, the step session's own state tensors fed without a
//    copy) computes one value per row on ORT (a RowValue: summed completion log-probs, or a reward
//    head's score, trainer/reward/ort-rewards.ts),
// 2. tfjs evaluates the loss on them and differentiates it: dL/d(value), one number per row,
// 3. the step session takes those seeds as an input and runs the backward pass from them plus
//    clipping and AdamW (a vector-Jacobian product: ./step-graph.ts vjpStepGraph).
// Each loss is thus written once. The price is a second forward pass inside the step session.
import * as ort from "onnxruntime-node";
import * as tf from "@tensorflow/tfjs-core";
import { GraphBuilder } from "../graph/builder";
import type { Graph } from "../graph/ir";
import { floatData, int64Tensor, OnnxSession } from "../onnx/session";
import type { AdamWOptions } from "../train/optimizer";
import { GRAD_NORM } from "./adamw-graph";
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
 * `model` plus Σ_t mask·log softmax(logits)[target] per row, output `sequence_logps` [batch]
 * (what trainer/policy/sequences.ts's sequenceLogps computes on tfjs).
 */
export function withSequenceLogps(model: Graph, batch: number, seq: number): Graph {
  const g = GraphBuilder.extending({ ...model, outputs: [] });
  const targets = g.input(TARGETS, "int64", [batch, seq]);
  const mask = g.input(COMPLETION_MASK, "float32", [batch, seq]);
  const logp = g.op("logSoftmax", "seq_logps", ["logits"], { axis: -1 });
  const picked = g.op("gatherElements", "seq_logps", [logp, g.op("reshape", "seq_logps", [targets], { shape: [batch, seq, 1] })], { axis: -1 });
  const masked = g.op("mul", "seq_logps", [g.op("reshape", "seq_logps", [picked], { shape: [batch, seq] }), mask], {});
  g.op("reduceSum", "seq_logps", [masked], { axes: [1], keepDims: false }, SEQUENCE_LOGPS);
  g.output(SEQUENCE_LOGPS, "float32", [batch]);
  return g.build();
}

/**
 * The per-row value a VJP step is seeded at: how it extends the model graph (output `name`
 * [batch]), the extra inputs that takes, and how a batch of rows `B` feeds them besides input_ids.
 */
export interface RowValue<B extends { inputs: number[][] }> {
  name: string;
  extend: (model: Graph, batch: number, seq: number) => Graph;
  inputShapes: (batch: number, seq: number) => Record<string, number[]>;
  feeds: (b: B, batch: number, seq: number) => Record<string, ort.Tensor>;
}

/** The DPO family's value: each row's summed completion log-probs (the default). */
export const SEQUENCE_LOGPS_VALUE: RowValue<SequenceBatch> = {
  name: SEQUENCE_LOGPS,
  extend: withSequenceLogps,
  inputShapes: (batch, seq) => ({ [TARGETS]: [batch, seq], [COMPLETION_MASK]: [batch, seq] }),
  feeds: (b, batch, seq) => ({
    [TARGETS]: int64Tensor(b.targets.flat(), [batch, seq]),
    [COMPLETION_MASK]: new ort.Tensor("float32", Float32Array.from(b.mask.flat()), [batch, seq]),
  }),
};

export interface OrtVjpTrainerOptions {
  graph: Graph;
  weights: Record<string, Float32Array>;
  adamw: AdamWOptions;
  batch: number;
  seq: number;
  threads?: number;
}

export class OrtVjpTrainer<B extends { inputs: number[][] } = SequenceBatch> extends OrtStepTrainer {
  private readonly dense: Record<string, ort.Tensor>;

  private constructor(session: StepSession, step: StepGraph, private readonly forwardSession: OnnxSession, private readonly o: OrtVjpTrainerOptions, private readonly value: RowValue<B>, threads: number) {
    super(session, step, o.adamw, threads);
    this.dense = denseModelFeeds(o.batch, o.seq);
  }

  /** A trainer seeded at `value` (default: SEQUENCE_LOGPS_VALUE, for SequenceBatch rows). */
  static async create<B extends { inputs: number[][] } = SequenceBatch>(o: OrtVjpTrainerOptions & { value?: RowValue<B> }): Promise<OrtVjpTrainer<B>> {
    const value = o.value ?? (SEQUENCE_LOGPS_VALUE as unknown as RowValue<B>);
    const extended = value.extend(o.graph, o.batch, o.seq);
    const shapes = { ...modelInputShapes(o.graph, o), ...value.inputShapes(o.batch, o.seq) };
    const step = vjpStepGraph(extended, [value.name], shapes, o.adamw);
    const { session, threads } = await OrtStepTrainer.open(step, o);
    const forward = await OnnxSession.create(stepModelBytes(forwardGraph(extended, [value.name], shapes)), { intraOpNumThreads: threads });
    const trainer = new OrtVjpTrainer<B>(session, step, forward, o, value, threads);
    trainer.setWeights(o.weights);
    return trainer;
  }

  private batchFeeds(b: B): Record<string, ort.Tensor> {
    const { batch: rows, seq } = this.o;
    if (b.inputs.length !== rows || b.inputs.some((r) => r.length !== seq)) throw new Error(`this step graph trains [${rows}, ${seq}] batches`);
    return { ...this.dense, input_ids: int64Tensor(b.inputs.flat(), [rows, seq]), ...this.value.feeds(b, rows, seq) };
  }

  /** Each row's value (summed completion log-probs by default) under the current weights. */
  async rowValues(b: B): Promise<Float32Array> {
    const params = Object.fromEntries(this.stepGraph.params.map((p) => [p.name, this.session.state.view(p.name)]));
    const out = await this.forwardSession.run({ ...this.batchFeeds(b), ...params }, [this.value.name]);
    return floatData(out[this.value.name]!);
  }

  /** The update from dL/d(row values) = `seeds` [batch]; returns the pre-clip gradient norm. */
  async applySeeds(b: B, seeds: Float32Array, lr: number): Promise<number> {
    const feeds = { ...this.batchFeeds(b), [seedName(this.value.name)]: new ort.Tensor("float32", seeds, [this.o.batch]) };
    const out = await this.update(feeds, lr, [GRAD_NORM]);
    return floatData(out[GRAD_NORM]!)[0]!;
  }

  /**
   * One step of a loss written in tfjs over the rows' values: forward on ORT, the loss and its
   * gradient on tfjs, the backward and AdamW on ORT. Returns the loss before the update.
   */
  async step(b: B, loss: (values: tf.Tensor1D) => tf.Scalar, lr: number): Promise<{ loss: number; gradNorm: number }> {
    const values = await this.rowValues(b);
    const { value, seeds } = tf.tidy(() => {
      const { value: v, grad } = tf.valueAndGrad(loss)(tf.tensor1d(values));
      return { value: v.dataSync()[0]!, seeds: grad.dataSync() as Float32Array };
    });
    return { loss: value, gradNorm: await this.applySeeds(b, seeds, lr) };
  }

  override async release(): Promise<void> {
    await this.forwardSession.release();
    await super.release();
  }
}
