/**
 * Any reward model, by database id or directory, as one `score` over (prompt, completion) items:
 * linear models in plain JS, neural ones on TensorFlow.js (loaded only for them). Scores are raw
 * rewards; `rewardMean` / `rewardStd` say how to normalise them (as PPO does).
 */
import { existsSync, statSync } from "node:fs";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { RewardModelKind } from "../../db/enums";
import { rewardModels } from "../../db/schema";
import { isLinearRewardDir, loadLinearRewardModel } from "./scorer-linear";
import { contextLength } from "../models/model-config";

export interface ScoreItem {
  prompt: string;
  completion: string;
}

export interface RewardScorer {
  kind: RewardModelKind;
  path: string;
  rewardMean: number | null;
  rewardStd: number | null;
  score(items: readonly ScoreItem[]): number[];
  dispose(): void;
}

/** Directory of reward model `idOrDir`: a reward_models id (digits) or a path. */
export function resolveRewardModelDir(db: Db | null, idOrDir: string): string {
  if (/^\d+$/.test(idOrDir) && !existsSync(idOrDir)) {
    const row = db?.select().from(rewardModels).where(eq(rewardModels.id, Number(idOrDir))).get();
    if (!row) throw new Error(`no reward model with id ${idOrDir}`);
    return row.path;
  }
  if (!existsSync(idOrDir) || !statSync(idOrDir).isDirectory()) throw new Error(`${idOrDir}: not a reward model id or directory`);
  return idOrDir;
}

async function neuralScorer(dir: string): Promise<RewardScorer> {
  const { initBackend } = await import("../backend");
  const { disposeNeuralRewardModel, loadNeuralRewardModel } = await import("./train-neural-model");
  const { scoreSequences } = await import("./scorer-neural");
  const { rewardTokens } = await import("./scorer-tokens");
  await initBackend();
  const model = loadNeuralRewardModel(dir, 0, true);
  return {
    kind: "neural",
    path: dir,
    rewardMean: model.rewardMean ?? null,
    rewardStd: model.rewardStd ?? null,
    score: (items) => {
      const sequences = items.map((i) => rewardTokens(model.tokenizer, i.prompt, i.completion));
      return [...scoreSequences(model, sequences, { maxLength: contextLength(model.config), batchRows: 16 })];
    },
    dispose: () => disposeNeuralRewardModel(model),
  };
}

/** Loads the reward model `idOrDir` (see resolveRewardModelDir) for scoring. */
export async function loadRewardScorer(db: Db | null, idOrDir: string): Promise<RewardScorer> {
  const dir = resolveRewardModelDir(db, idOrDir);
  if (!isLinearRewardDir(dir)) return neuralScorer(dir);
  const model = loadLinearRewardModel(dir);
  return {
    kind: "linear",
    path: dir,
    rewardMean: model.rewardMean,
    rewardStd: model.rewardStd,
    score: (items) => items.map((i) => model.score(i.prompt, i.completion)),
    dispose: () => {},
  };
}
