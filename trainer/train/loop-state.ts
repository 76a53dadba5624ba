// The loop's resumable state beside a checkpoint: the optimizer (trainer/train/resume.ts) plus
// loop_state.json (early stopping's memory, the best model so far, the last held-out metrics), so
// a run that died continues exactly as if it had not.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CheckpointError } from "../checkpoint/errors";
import type { EarlyStopping, EarlyStoppingState } from "./early-stopping";
import type { AdamW } from "./optimizer";
import { loadTrainerState, saveTrainerState } from "./resume";

export interface LoopState {
  /** Optimizer steps completed. */
  step: number;
  /** The best model so far (early stopping only). */
  best: { dir: string; step: number; metrics: Record<string, number> } | null;
  lastMetrics: Record<string, number>;
  lastCheckpoint: string | null;
}

const STATE_FILE = "loop_state.json";

interface SavedLoopState {
  best: LoopState["best"];
  lastMetrics: Record<string, number>;
  stopping: EarlyStoppingState | null;
}

export function saveLoopState(dir: string, optimizer: AdamW, state: LoopState, stopping: EarlyStopping | null): void {
  saveTrainerState(dir, optimizer, state.step);
  const saved: SavedLoopState = { best: state.best, lastMetrics: state.lastMetrics, stopping: stopping?.state() ?? null };
  writeFileSync(path.join(dir, STATE_FILE), `${JSON.stringify(saved)}\n`);
}

/** Restores the optimizer and early stopping from `dir`; returns the loop's counters. */
export function loadLoopState(dir: string, optimizer: AdamW, stopping: EarlyStopping | null): LoopState {
  const file = path.join(dir, STATE_FILE);
  if (!existsSync(file)) throw new CheckpointError(file, "is missing: this checkpoint cannot resume training");
  const { step } = loadTrainerState(dir, optimizer);
  const saved = JSON.parse(readFileSync(file, "utf8")) as SavedLoopState;
  if (stopping && saved.stopping) stopping.restore(saved.stopping);
  return { step, best: saved.best, lastMetrics: saved.lastMetrics, lastCheckpoint: dir };
}
