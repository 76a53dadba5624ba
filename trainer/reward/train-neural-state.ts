/**
 * Resumable state of a neural reward run beside its checkpoint: the model and optimizer (the
 * trainer's own files) plus reward_state.json (early stopping's memory and the best metrics so
 * far), so a run that died continues as if it had not.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadTrainerState, saveTrainerState } from "../train/resume";
import type { AdamW } from "../train/optimizer";
import { EarlyStopping } from "./early-stopping";
import type { RewardMetrics } from "./metrics";
import { saveNeuralRewardModel, type NeuralRewardModel } from "./train-neural-model";

export interface RewardRunState {
  /** Optimizer steps completed. */
  step: number;
  stopping: EarlyStopping;
  /** Held-out metrics of the best evaluation (the model saved in reward-model/). */
  best: RewardMetrics | null;
}

const STATE_FILE = "reward_state.json";

export function checkpointDir(runDir: string, step: number): string {
  return path.join(runDir, "checkpoints", `step-${step}`);
}

/** Writes a resumable checkpoint and removes the previous one (only the newest is resumed). */
export function saveRunState(dir: string, model: NeuralRewardModel, optimizer: AdamW, state: RewardRunState, previous: string | null): void {
  saveNeuralRewardModel(dir, model);
  saveTrainerState(dir, optimizer, state.step);
  const { bestLoss, bestStep, sinceBest } = state.stopping;
  const saved = { bestLoss: Number.isFinite(bestLoss) ? bestLoss : null, bestStep, sinceBest, best: state.best };
  writeFileSync(path.join(dir, STATE_FILE), `${JSON.stringify(saved)}\n`);
  if (previous && previous !== dir && existsSync(previous)) rmSync(previous, { recursive: true, force: true });
}

/** Restores optimizer and early stopping from a checkpoint saveRunState wrote. */
export function loadRunState(dir: string, optimizer: AdamW, patience: number): RewardRunState {
  const { step } = loadTrainerState(dir, optimizer);
  const saved = JSON.parse(readFileSync(path.join(dir, STATE_FILE), "utf8")) as {
    bestLoss: number | null; bestStep: number; sinceBest: number; best: RewardMetrics | null;
  };
  const stopping = new EarlyStopping(patience);
  stopping.bestLoss = saved.bestLoss ?? Number.POSITIVE_INFINITY;
  stopping.bestStep = saved.bestStep;
  stopping.sinceBest = saved.sinceBest;
  return { step, stopping, best: saved.best };
}
