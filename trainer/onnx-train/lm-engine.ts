// Plugs the ONNX Runtime engine into a language-model Objective of the one training loop: the
// objective's `step` becomes an OrtTrainer step, and everything the loop does with the model
// between steps (evaluate, save, checkpoints, resume) still reads the tfjs variables and the
// AdamW object, which are synced from ORT just before: weights before evaluate/save, the moments
// before a resumable checkpoint, and a resumed run's moments handed to ORT at its first step.
// So checkpoints and resume keep one format whichever engine trained.
import * as tf from "@tensorflow/tfjs-core";
import type { TrainableModel } from "../train/lm-step";
import type { Objective } from "../train/loop";
import type { AdamW, AdamWOptions } from "../train/optimizer";
import { OrtTrainer, type OrtLmBatch } from "./ort-trainer";
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
function syncWeights(trainer: OrtTrainer, model: TrainableModel): void {
  const weights = trainer.weights();
  tf.tidy(() => {
    for (const [name, v] of Object.entries(model.params)) v.assign(tf.tensor(weights[name]!.data, weights[name]!.shape, "float32"));
  });
}

/** `base` trained by ONNX Runtime; release the returned trainer when the run ends. */
export async function withOrtEngine<B>(base: Objective<B>, o: OrtLmEngineOptions<B>): Promise<{ objective: Objective<B>; trainer: OrtTrainer }> {
  const weights = Object.fromEntries(Object.entries(o.model.params).map(([name, v]) => [name, v.dataSync() as Float32Array]));
  const trainer = await OrtTrainer.create({
    graph: o.model.graph, weights, adamw: o.adamw, batch: o.batch, seq: o.seq, threads: o.threads, stepGraph: o.stepGraph, completionMask: o.completionMask,
    executionProviders: o.provider === "cuda" ? ["cuda", "cpu"] : ["cpu"],
  });
  let weightsInSync = true;
  const synced = <A extends unknown[], R>(f: (...args: A) => R) => (...args: A): R => {
    if (!weightsInSync) syncWeights(trainer, o.model);
    weightsInSync = true;
    return f(...args);
  };
  let optimizer: AdamW | null = null;
  const toLmBatch = o.toLmBatch ?? ((b: B) => b as unknown as OrtLmBatch & { metrics?: Record<string, number> });
  const objective: Objective<B> = {
    ...base,
    step: async (batch, lr, adamw) => {
      // A resumed run's moments were loaded into the AdamW object: ORT takes them over once, and
      // the tfjs copies (also those made for a checkpoint) are freed.
      if (optimizer === null && adamw.t > 0) trainer.loadOptimizerState(adamw.stateToRaw());
      optimizer = adamw;
      adamw.dispose();
      const { metrics, ...rows } = toLmBatch(batch);
      const r = await trainer.step(rows, lr);
      weightsInSync = false;
      return { ...r, metrics: metrics ?? {} };
    },
    evaluate: base.evaluate ? synced(base.evaluate) : undefined,
    save: synced(base.save),
    saveState: (dir) => {
      optimizer?.loadRaw(trainer.optimizerState());
      base.saveState?.(dir);
    },
  };
  return { objective, trainer };
}
