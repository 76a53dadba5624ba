// A policy being trained: its checkpoint loaded as tfjs variables, trained in full or through LoRA
// adapters on a frozen base (merged into a plain HF checkpoint on save, so the new policy version
// opens anywhere). Resuming restores the weights a checkpoint saved, or with LoRA the base from
// the starting policy plus the adapters the checkpoint saved.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { saveCheckpoint } from "../checkpoint/tfjs";
import { readCheckpoint } from "../checkpoint/read";
import { readSafetensors, writeSafetensors } from "../checkpoint/safetensors";
import { CheckpointError } from "../checkpoint/errors";
import { createLora, loadLoraState, loraState, type LoraAdapters } from "../train/lora";
import { checkpointSetup, disposeSetup, savedContents, type TrainingSetup } from "../train/setup";
import type { LoraSettings } from "./config";
import type { PolicyForward } from "./sequences";

const LORA_FILE = "lora.safetensors";

export interface TrainablePolicy extends PolicyForward {
  setup: TrainingSetup;
  /** What the optimizer updates: every weight, or the LoRA adapters only. */
  trainable: Record<string, tf.Variable>;
  lora: LoraAdapters | null;
  /** Writes a plain HF checkpoint (LoRA merged in). */
  save(dir: string): void;
  /** Resumable extras: the adapters (the base is the starting policy's, never saved again). */
  saveState(dir: string): void;
  /** Puts the weights `save(dir)` wrote back in place (early stopping's best model, for the test split). */
  restore(dir: string): void;
  dispose(): void;
}

function saveMerged(setup: TrainingSetup, lora: LoraAdapters | null, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const params = lora ? lora.merged(setup.model.params) : setup.model.params;
  saveCheckpoint(dir, { ...savedContents(setup), params });
  if (lora) tf.dispose(Object.values(params));
}

/**
 * Loads the merged weights of a saved checkpoint into the variables. With LoRA the merged weights
 * become the base and every B adapter is zeroed, so the effective weights (base + A·B) are exactly
 * the saved ones; only evaluation follows, never more training.
 */
function restoreMerged(setup: TrainingSetup, lora: LoraAdapters | null, dir: string): void {
  const { weights } = readCheckpoint(dir);
  for (const [name, variable] of Object.entries(setup.model.params) as [string, tf.Variable][]) {
    const saved = weights[name];
    if (!saved || saved.shape.join() !== variable.shape.join()) throw new CheckpointError(dir, `does not hold "${name}" as [${variable.shape}]`);
    variable.assign(tf.tensor(saved.data, saved.shape, "float32"));
  }
  if (lora) for (const [name, v] of Object.entries(lora.variables)) if (name.endsWith(".lora_B")) v.assign(tf.zerosLike(v));
}

function restoreAdapters(lora: LoraAdapters, dir: string): void {
  const file = path.join(dir, LORA_FILE);
  if (!existsSync(file)) throw new CheckpointError(file, "is missing: this LoRA run's checkpoint cannot resume");
  loadLoraState(lora, readSafetensors(readFileSync(file)).tensors);
}

/** Loads the policy at `startDir` (or, resuming a full fine-tune, the weights in `resumeDir`). */
export function loadTrainablePolicy(startDir: string, o: { lora: LoraSettings | null; seed: number; resumeDir?: string | null }): TrainablePolicy {
  const setup = checkpointSetup(o.lora || !o.resumeDir ? startDir : o.resumeDir);
  const lora = o.lora ? createLora(setup.model.params, { ...o.lora, seed: o.seed }) : null;
  if (lora && o.resumeDir) restoreAdapters(lora, o.resumeDir);
  return {
    setup,
    lora,
    graph: setup.model.graph,
    padId: setup.tokenizer.eosId,
    trainable: lora ? lora.variables : setup.model.params,
    params: () => (lora ? lora.effectiveParams(setup.model.params) : setup.model.params),
    save: (dir) => saveMerged(setup, lora, dir),
    saveState: (dir) => {
      if (lora) writeFileSync(path.join(dir, LORA_FILE), writeSafetensors(loraState(lora)));
    },
    restore: (dir) => tf.tidy(() => restoreMerged(setup, lora, dir)),
    dispose: () => {
      lora?.dispose();
      disposeSetup(setup);
    },
  };
}
