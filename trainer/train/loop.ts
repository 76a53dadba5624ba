// The language-model training loop: forward + loss under tf.variableGrads, AdamW update, periodic
// validation, progress callbacks. Everything per step runs inside tf.tidy so the tensor count
// stays flat across steps.
import * as tf from "@tensorflow/tfjs-core";
import type { Graph } from "../graph/ir";
import { executeGraph } from "../graph/tfjs-exec";
import { lmLoss } from "../losses";
import { makeRng } from "../rng";
import type { TrainConfig } from "./config";
import { sampleBatch, type LmBatch } from "./data";
import type { AdamW } from "./optimizer";
import { learningRateAt } from "./schedule";

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
export function paramGrads(model: TrainableModel, byVariable: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const grads: Record<string, tf.Tensor> = {};
  for (const [name, v] of Object.entries(model.params)) if (byVariable[v.name]) grads[name] = byVariable[v.name];
  return grads;
}

/** One optimizer step; returns the loss before the update and the gradient norm. */
export function trainStep(model: TrainableModel, optimizer: AdamW, batch: LmBatch, lr: number): { loss: number; gradNorm: number } {
  return tf.tidy(() => {
    const { value, grads: byVariable } = tf.variableGrads(() => batchLoss(model, batch), Object.values(model.params));
    const grads = paramGrads(model, byVariable);
    const gradNorm = optimizer.step(model.params, grads, lr);
    return { loss: value.dataSync()[0], gradNorm };
  });
}

/** Mean loss over `batches` random windows (fixed seed, so successive evaluations compare). */
export function evaluateLoss(model: TrainableModel, stream: Int32Array, c: TrainConfig, batches = c.evalBatches): number {
  const rand = makeRng(c.seed + 1);
  let total = 0;
  for (let i = 0; i < batches; i++) total += tf.tidy(() => batchLoss(model, sampleBatch(stream, c.batchSize, c.blockSize, rand)).dataSync()[0]);
  return total / batches;
}

export interface StepReport {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
  /** Seconds left at the current pace. */
  etaSeconds: number;
  valLoss?: number;
}

export interface LoopOptions {
  model: TrainableModel;
  optimizer: AdamW;
  config: TrainConfig;
  train: Int32Array;
  val?: Int32Array;
  /** First step to run (resuming); default 0. */
  startStep?: number;
  /** Wall-clock budget: the schedule then follows elapsed/limit so the LR still decays in time. */
  timeLimitSeconds?: number;
  onStep?: (report: StepReport) => void | Promise<void>;
  /** Helper threads computing shards of each batch (wasm: uses more than one core). */
  parallel?: { trainStep: (m: TrainableModel, o: AdamW, b: LmBatch, lr: number) => Promise<{ loss: number; gradNorm: number }> };
  /** Checked before every step; true stops the loop (cancellation). */
  shouldStop?: () => boolean;
}

/** Runs steps until maxSteps (or the time budget, or shouldStop); returns the last report. */
export async function trainLoop(o: LoopOptions): Promise<StepReport | undefined> {
  const c = o.config;
  const t0 = Date.now();
  let last: StepReport | undefined;
  for (let step = o.startStep ?? 0; step < c.maxSteps && !o.shouldStop?.(); step++) {
    const elapsed = (Date.now() - t0) / 1000;
    const scheduleStep = o.timeLimitSeconds ? Math.max(step, Math.floor((elapsed / o.timeLimitSeconds) * c.maxSteps)) : step;
    if (scheduleStep >= c.maxSteps) break;
    const lr = learningRateAt(scheduleStep, c);
    // A generator per step: a run resumed at step k sees exactly the batches it would have seen.
    const batch = sampleBatch(o.train, c.batchSize, c.blockSize, makeRng(c.seed * 7919 + step));
    const { loss, gradNorm } = o.parallel ? await o.parallel.trainStep(o.model, o.optimizer, batch, lr) : trainStep(o.model, o.optimizer, batch, lr);
    const done = step + 1 - (o.startStep ?? 0);
    const secs = (Date.now() - t0) / 1000;
    const perStep = secs / done;
    const eta = o.timeLimitSeconds ? Math.max(0, o.timeLimitSeconds - secs) : perStep * (c.maxSteps - step - 1);
    last = { step: step + 1, loss, gradNorm, lr, tokensPerSecond: (done * c.batchSize * c.blockSize) / secs, elapsedSeconds: secs, etaSeconds: eta };
    if (o.val && c.evalInterval > 0 && (step + 1) % c.evalInterval === 0) last.valLoss = evaluateLoss(o.model, o.val, c);
    await o.onStep?.(last);
  }
  return last;
}
