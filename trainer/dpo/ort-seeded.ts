// A policy objective whose steps ONNX Runtime trains (OrtVjpTrainer) from a loss written once in
// tfjs over each row's summed completion log-probs: the batch laid out as the step graph's static
// rows, ORT's log-probs into the loss, its gradient per row seeding ORT's backward pass, clipping
// and AdamW, and the metrics of that same loss call logged. DPO pairs' rows are ./ort-pairs.ts's,
// KTO's ./ort-kto.ts's, rankings' ./ort-rank.ts's.
import * as tf from "@tensorflow/tfjs-core";
import { modelWeights, withOrtStep } from "../onnx-train/lm-engine";
import { OrtVjpTrainer, vjpTrainerEngine, type OrtEngineOptions, type SequenceBatch } from "../onnx-train/vjp-trainer";
import type { BatchOutput } from "../policy/batch-output";
import type { TrainableModel } from "../train/lm-step";
import type { Objective } from "../train/loop";
import type { AdamWOptions } from "../train/optimizer";

/** How a run's batches become ORT rows and how their log-probs become the loss. */
export interface SeededRows<E> {
  /** Rows of every step (one static shape for the whole run). */
  rows: number;
  layout: (batch: readonly E[]) => SequenceBatch;
  /** The loss and metrics from every row's log-probs [rows] (inside a tape). */
  loss: (logps: tf.Tensor1D, batch: readonly E[]) => BatchOutput;
}

/** A batch's `loss` as tf.valueAndGrad wants it (a scalar of the log-probs); `last()` gives the metrics of the latest call. */
export function seedLoss<E>(loss: SeededRows<E>["loss"], batch: readonly E[]): { loss: (logps: tf.Tensor1D) => tf.Scalar; last: () => BatchOutput["metrics"] } {
  let metrics: BatchOutput["metrics"] = {};
  return {
    loss: (logps) => {
      const out = loss(logps, batch);
      metrics = out.metrics;
      return out.loss;
    },
    last: () => metrics,
  };
}

export interface OrtSeededOptions extends OrtEngineOptions {
  model: TrainableModel;
  adamw: AdamWOptions;
  seq: number;
}

/** `base` trained by ONNX Runtime; release the returned trainer when the run ends. */
export async function withOrtSeeded<E>(base: Objective<E[]>, rows: SeededRows<E>, o: OrtSeededOptions): Promise<{ objective: Objective<E[]>; trainer: OrtVjpTrainer }> {
  const trainer = await OrtVjpTrainer.create({ graph: o.model.graph, weights: modelWeights(o.model), adamw: o.adamw, batch: rows.rows, seq: o.seq, ...vjpTrainerEngine(o) });
  const objective = withOrtStep(base, trainer, o.model, async (batch, lr) => {
    const { loss, last } = seedLoss(rows.loss, batch);
    const r = await trainer.step(rows.layout(batch), loss, lr);
    return { ...r, metrics: last() };
  });
  return { objective, trainer };
}
