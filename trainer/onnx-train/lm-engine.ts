// Plugs the ONNX Runtime engine into a language-model Objective of the one training loop: the
// objective's `step` becomes an OrtTrainer step (an OrtVjpTrainer step for losses written in tfjs,
// the DPO family: withOrtStep takes either), and everything the loop does with the model
// between steps (evaluate, save, checkpoints, resume) still reads the tfjs variables and the
// AdamW object, which are synced from ORT just before: weights before evaluate/save, the moments
// before a resumable checkpoint, and a resumed run's moments handed to ORT at its first step.
// So checkpoints and resume keep one format whichever engine trained.
import * as tf from "@tensorflow/tfjs-core";
import type { TrainableModel } from "../train/lm-step";
import type { Objective, StepResult } from "../train/loop";
import type { AdamW, AdamWOptions } from "../train/optimizer";
import { OrtTrainer, type OrtLmBatch, type OrtStepTrainer } from "./ort-trainer";
import { ortProviders } from "./engine";
import type { StepGraph } from "./step-graph";

export interface OrtLmEngineOptions<B> {
  model: TrainableModel;
  /** The objective's batch as the step graph's fixed-shape rows (default: it already is one). */
  toLmBatch?: (batch: B) => OrtLmBatch & { metrics?: Record<string, number> };
  /** Weigh the loss by each batch's mask (SFT's completion tokens). */
  completionMask?: boolean;
  adamw: AdamWOptions;
  batch: number;
  seq: number;
  provider: "cuda" | "cpu";
  threads: number;
  /** The step graph when the engine choice already built it. */
  stepGraph?: StepGraph;
}

/** Copies ORT's current weights into the tfjs variables. */
export function syncWeights(trainer: OrtStepTrainer, model: TrainableModel): void {
  const weights = trainer.weights();
  tf.tidy(() => {
    for (const [name, v] of Object.entries(model.params)) v.assign(tf.tensor(weights[name]!.data, weights[name]!.shape, "float32"));
  });
}

/** The model's current weights by HF name, as an ORT trainer's initial weights. */
export function modelWeights(model: TrainableModel): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(model.params).map(([name, v]) => [name, v.dataSync() as Float32Array]));
}

/**
 * `base` whose step is `step` on an ORT trainer of either kind (OrtTrainer, OrtVjpTrainer): the
 * weights, moments and step count live in `trainer`, and are synced to `model` and the loop's AdamW
 * as described at the top of this file.
 */
export function withOrtStep<B>(base: Objective<B>, trainer: OrtStepTrainer, model: TrainableModel, step: (batch: B, lr: number) => Promise<StepResult>): Objective<B> {
  let weightsInSync = true;
  const synced = <A extends unknown[], R>(f: (...args: A) => R) => (...args: A): R => {
    if (!weightsInSync) syncWeights(trainer, model);
    weightsInSync = true;
    return f(...args);
  };
  let optimizer: AdamW | null = null;
  return {
    ...base,
    step: async (batch, lr, adamw) => {
      // A resumed run's moments were loaded into the AdamW object: ORT takes them over once, and
      // the tfjs copies (also those made for a checkpoint) are freed.
      if (optimizer === null && adamw.t > 0) trainer.loadOptimizerState(adamw.stateToRaw());
      optimizer = adamw;
      adamw.dispose();
      const r = await step(batch, lr);
      weightsInSync = false;
      return r;
    },
    evaluate: base.evaluate ? synced(base.evaluate) : undefined,
    save: synced(base.save),
    saveState: (dir) => {
      optimizer?.loadRaw(trainer.optimizerState());
      base.saveState?.(dir);
    },
  };
}

/** `base` trained by ONNX Runtime; release the returned trainer when the run ends. */
export async function withOrtEngine<B>(base: Objective<B>, o: OrtLmEngineOptions<B>): Promise<{ objective: Objective<B>; trainer: OrtTrainer }> {
  const trainer = await OrtTrainer.create({
    graph: o.model.graph, weights: modelWeights(o.model), adamw: o.adamw, batch: o.batch, seq: o.seq, threads: o.threads, stepGraph: o.stepGraph, completionMask: o.completionMask,
    executionProviders: ortProviders(o.provider),
  });
  const toLmBatch = o.toLmBatch ?? ((b: B) => b as unknown as OrtLmBatch & { metrics?: Record<string, number> });
  const objective = withOrtStep(base, trainer, o.model, async (batch, lr) => {
    const { metrics, ...rows } = toLmBatch(batch);
    return { ...(await trainer.step(rows, lr)), metrics: metrics ?? {} };
  });
  return { objective, trainer };
}
