/**
 * Loading a saved linear reward model (pure JS, no tensors): what the web server may call to
 * score completions in-process. Loaded models are cached by file and modification time.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { LinearRewardModel, type SavedLinearReward } from "./linear";

export const LINEAR_MODEL_FILE = "linear-reward.json";

const cache = new Map<string, { mtimeMs: number; model: LinearRewardModel }>();

/** The model saved in `dir` (a reward run's reward-model/ folder). */
export function loadLinearRewardModel(dir: string): LinearRewardModel {
  const file = path.join(dir, LINEAR_MODEL_FILE);
  if (!existsSync(file)) throw new Error(`${file} is missing: not a linear reward model directory`);
  const { mtimeMs } = statSync(file);
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.model;
  let saved: SavedLinearReward;
  try {
    saved = JSON.parse(readFileSync(file, "utf8")) as SavedLinearReward;
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message})`);
  }
  const model = LinearRewardModel.fromJSON(saved);
  cache.set(file, { mtimeMs, model });
  return model;
}

/** Whether `dir` holds a linear reward model (rather than a neural checkpoint). */
export const isLinearRewardDir = (dir: string) => existsSync(path.join(dir, LINEAR_MODEL_FILE));
