// Resumable training state beside a checkpoint: the optimizer's moments (optimizer.safetensors)
// and the step counters (trainer_state.json). HF tools ignore both files. The moments are twice
// the fp32 weights (8 bytes a parameter), so they are written and read tensor by tensor: through
// one Buffer, reading stops at 2 GiB (readFileSync) and writing at 4 GiB, i.e. at 0.27B/0.54B parameters.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeSafetensorsFile } from "../checkpoint/safetensors";
import { CheckpointError } from "../checkpoint/errors";
import { readCheckpointTensors } from "../checkpoint/weight-files";
import type { AdamW } from "./optimizer";

export interface TrainerState {
  /** Optimizer steps completed (the next step to run). */
  step: number;
  /** AdamW's bias-correction counter. */
  adamStep: number;
}

const OPTIMIZER_FILE = "optimizer.safetensors";

/** Writes the optimizer moments and counters into checkpoint directory `dir`. */
export function saveTrainerState(dir: string, optimizer: AdamW, step: number): void {
  const { step: adamStep, tensors } = optimizer.stateToRaw();
  writeSafetensorsFile(join(dir, OPTIMIZER_FILE), tensors);
  writeFileSync(join(dir, "trainer_state.json"), `${JSON.stringify({ step, adamStep } satisfies TrainerState)}\n`);
}

/** Restores what saveTrainerState wrote into `optimizer`; returns the counters. */
export function loadTrainerState(dir: string, optimizer: AdamW): TrainerState {
  const statePath = join(dir, "trainer_state.json");
  if (!existsSync(statePath)) throw new CheckpointError(statePath, "is missing: this checkpoint cannot resume training");
  const state = JSON.parse(readFileSync(statePath, "utf8")) as TrainerState;
  const optimizerPath = join(dir, OPTIMIZER_FILE);
  if (!existsSync(optimizerPath)) throw new CheckpointError(optimizerPath, "is missing: this checkpoint cannot resume training");
  optimizer.loadRaw({ step: state.adamStep, tensors: readCheckpointTensors(optimizerPath) });
  return state;
}
