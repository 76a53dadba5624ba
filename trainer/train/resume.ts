// Resumable training state beside a checkpoint: the optimizer's moments (optimizer.safetensors)
// and the step counters (trainer_state.json). HF tools ignore both files.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readSafetensors, writeSafetensors } from "../checkpoint/safetensors";
import { CheckpointError } from "../checkpoint/errors";
import type { AdamW } from "./optimizer";

export interface TrainerState {
  /** Optimizer steps completed (the next step to run). */
  step: number;
  /** AdamW's bias-correction counter. */
  adamStep: number;
}

/** Writes the optimizer moments and counters into checkpoint directory `dir`. */
export function saveTrainerState(dir: string, optimizer: AdamW, step: number): void {
  const { step: adamStep, tensors } = optimizer.stateToRaw();
  writeFileSync(join(dir, "optimizer.safetensors"), writeSafetensors(tensors));
  writeFileSync(join(dir, "trainer_state.json"), `${JSON.stringify({ step, adamStep } satisfies TrainerState)}\n`);
}

/** Restores what saveTrainerState wrote into `optimizer`; returns the counters. */
export function loadTrainerState(dir: string, optimizer: AdamW): TrainerState {
  const statePath = join(dir, "trainer_state.json");
  if (!existsSync(statePath)) throw new CheckpointError(statePath, "is missing: this checkpoint cannot resume training");
  const state = JSON.parse(readFileSync(statePath, "utf8")) as TrainerState;
  const { tensors } = readSafetensors(readFileSync(join(dir, "optimizer.safetensors")));
  optimizer.loadRaw({ step: state.adamStep, tensors });
  return state;
}
