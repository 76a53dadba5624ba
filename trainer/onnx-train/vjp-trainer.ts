// ONNX Runtime training driven by a loss computed elsewhere: the unchanged tfjs loss functions
// (DPO family, Bradley-Terry, KTO, PPO/GRPO/RLOO) need only small per-sequence tensors, so
// 1. a forward session (params as inputs, the step session's own state tensors fed without a
//    copy) computes each row's summed completion log-probs on ORT,
// 2. tfjs evaluates the loss on them and differentiates it: dL/d(logps), one number per row,
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

export interface OrtVjpTrainerOptions {
  graph: Graph;
  weights: Record<string, Float32Array>;
  adamw: AdamWOptions;
  batch: number;
  seq: number;
  threads?: number;
}

export class OrtVjpTrainer extends OrtStepTrainer {
  private readonly dense: Record<string, ort.Tensor>;

  private constructor(session: StepSession, step: StepGraph, private readonly forwardSession: OnnxSession, private readonly o: OrtVjpTrainerOptions, threads: number) {
    super(session, step, o.adamw, threads);
    this.dense = denseModelFeeds(o.batch, o.seq);
  }

  static async create(o: OrtVjpTrainerOptions): Promise<OrtVjpTrainer> {
    const withLogps = withSequenceLogps(o.graph, o.batch, o.seq);
    const shapes = { ...modelInputShapes(o.graph, o), [TARGETS]: [o.batch, o.seq], [COMPLETION_MASK]: [o.batch, o.seq] };
    const step = vjpStepGraph(withLogps, [SEQUENCE_LOGPS], shapes, o.adamw);
    const { session, threads } = await OrtStepTrainer.open(step, o);
    const forward = await OnnxSession.create(stepModelBytes(forwardGraph(withLogps, [SEQUENCE_LOGPS], shapes)), { intraOpNumThreads: threads });
    const trainer = new OrtVjpTrainer(session, step, forward, o, threads);
    trainer.setWeights(o.weights);
    return trainer;
  }

  private batchFeeds(b: SequenceBatch): Record<string, ort.Tensor> {
    const { batch: rows, seq } = this.o;
    if (b.inputs.length !== rows || b.inputs.some((r) => r.length !== seq)) throw new Error(`this step graph trains [${rows}, ${seq}] batches`);
    return {
      ...this.dense,
      input_ids: int64Tensor(b.inputs.flat(), [rows, seq]),
      [TARGETS]: int64Tensor(b.targets.flat(), [rows, seq]),
      [COMPLETION_MASK]: new ort.Tensor("float32", Float32Array.from(b.mask.flat()), [rows, seq]),
    };
  }

  /** Each row's summed completion log-probs under the current weights. */
  async sequenceLogps(b: SequenceBatch): Promise<Float32Array> {
    const params = Object.fromEntries(this.stepGraph.params.map((p) => [p.name, this.session.state.view(p.name)]));
    const out = await this.forwardSession.run({ ...this.batchFeeds(b), ...params }, [SEQUENCE_LOGPS]);
    return floatData(out[SEQUENCE_LOGPS]!);
  }

  /** The update from dL/d(sequence log-probs) = `seeds` [batch]; returns the pre-clip gradient norm. */
  async applySeeds(b: SequenceBatch, seeds: Float32Array, lr: number): Promise<number> {
    const feeds = { ...this.batchFeeds(b), [seedName(SEQUENCE_LOGPS)]: new ort.Tensor("float32", seeds, [this.o.batch]) };
    const out = await this.update(feeds, lr, [GRAD_NORM]);
    return floatData(out[GRAD_NORM]!)[0]!;
  }

  /**
   * One step of a loss written in tfjs over the rows' log-probs: forward on ORT, the loss and its
   * gradient on tfjs, the backward and AdamW on ORT. Returns the loss before the update.
   */
  async step(b: SequenceBatch, loss: (logps: tf.Tensor1D) => tf.Scalar, lr: number): Promise<{ loss: number; gradNorm: number }> {
    const logps = await this.sequenceLogps(b);
    const { value, seeds } = tf.tidy(() => {
      const { value: v, grad } = tf.valueAndGrad(loss)(tf.tensor1d(logps));
      return { value: v.dataSync()[0]!, seeds: grad.dataSync() as Float32Array };
    });
    return { loss: value, gradNorm: await this.applySeeds(b, seeds, lr) };
  }

  override async release(): Promise<void> {
    await this.forwardSession.release();
    await super.release();
  }
}
