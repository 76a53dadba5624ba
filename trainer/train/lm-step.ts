// The language-model step: forward + next-token loss under tf.variableGrads and an AdamW update.
// Shared by the LM objective (trainer/lm), the data-parallel gradient thread and the benchmarks.
import * as tf from "@tensorflow/tfjs-core";
import type { Graph } from "../graph/ir";
import { executeGraph } from "../graph/tfjs-exec";
import { lmLoss } from "../losses";
import { makeRng } from "../rng";
import type { TrainConfig } from "./config";
import { sampleBatch, type LmBatch } from "./data";
import type { AdamW } from "./optimizer";

/** A graph with trainable parameters (HF names → variables). */
export interface TrainableModel {
  graph: Graph;
  params: Record<string, tf.Variable>;
}

/** Graph inputs for unpadded rows: all-ones mask, positions 0..seq-1. */
export function denseInputs(ids: number[][]): Record<string, tf.Tensor> {
  const seq = ids[0].length;
  return {
    input_ids: tf.tensor2d(ids, [ids.length, seq], "int32"),
    attention_mask: tf.ones([ids.length, seq], "int32"),
    position_ids: tf.tile(tf.reshape(tf.range(0, seq, 1, "int32"), [1, seq]), [ids.length, 1]),
  };
}

/** Mean next-token loss of a batch (a scalar tensor; differentiable). */
export function batchLoss(model: TrainableModel, batch: LmBatch): tf.Scalar {
  const { logits } = executeGraph(model.graph, { ...model.params, ...denseInputs(batch.inputs) }, ["logits"]);
  return lmLoss(logits, tf.tensor2d(batch.targets, undefined, "int32"));
}

/** variableGrads keys gradients by tfjs variable name; re-key them by parameter (HF) name. */
export function paramGrads(params: Record<string, tf.Variable>, byVariable: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const grads: Record<string, tf.Tensor> = {};
  for (const [name, v] of Object.entries(params)) if (byVariable[v.name]) grads[name] = byVariable[v.name];
  return grads;
}

/** One optimizer step; returns the loss before the update and the gradient norm. */
export function trainStep(model: TrainableModel, optimizer: AdamW, batch: LmBatch, lr: number): { loss: number; gradNorm: number } {
  return tf.tidy(() => {
    const { value, grads: byVariable } = tf.variableGrads(() => batchLoss(model, batch), Object.values(model.params));
    const gradNorm = optimizer.step(model.params, paramGrads(model.params, byVariable), lr);
    return { loss: value.dataSync()[0], gradNorm };
  });
}

/** Mean loss over `batches` random windows (fixed seed, so successive evaluations compare). */
export function evaluateLoss(model: TrainableModel, stream: Int32Array, c: Pick<TrainConfig, "seed" | "batchSize" | "blockSize">, batches: number): number {
  const rand = makeRng(c.seed + 1);
  let total = 0;
  for (let i = 0; i < batches; i++) total += tf.tidy(() => batchLoss(model, sampleBatch(stream, c.batchSize, c.blockSize, rand)).dataSync()[0]);
  return total / batches;
}
