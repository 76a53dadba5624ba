/**
 * The linear reward run: hashed n-gram Bradley-Terry fitted by L-BFGS on the training split
 * (seconds), saved as `linear-reward.json` in the run folder. Nothing is selected on validation
 * here, but its metrics are logged (val_*) as for the neural model; the reported ones come from
 * the test split, so both kinds report numbers of the same kind. Ties carry no direction and the
 * linear model has no tie term, so it learns from decided pairs.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { RunContext } from "../worker/run-context";
import type { RewardConfig } from "./config";
import { decidedPairs, type RewardData, type RewardTrainingPair } from "./executor-data";
import { metricSeries, type TrainedRewardModel } from "./executor-record";
import { DEFAULT_LINEAR_CONFIG, LinearRewardModel } from "./linear";
import { rewardMetrics, type RewardMetrics } from "./metrics";
import { LINEAR_MODEL_FILE } from "./scorer-linear";

export { LINEAR_MODEL_FILE };

/** Metrics of any scorer on decided pairs (weights and margins as the loss saw them). */
export function scorePairs(pairs: readonly RewardTrainingPair[], score: (prompt: string, completion: string) => number): RewardMetrics {
  return rewardMetrics({
    chosen: pairs.map((p) => score(p.prompt, p.chosen)),
    rejected: pairs.map((p) => score(p.prompt, p.rejected)),
    weight: pairs.map((p) => p.weight),
    margin: pairs.map((p) => p.margin),
  });
}

export async function trainLinearReward(ctx: RunContext, config: RewardConfig, data: RewardData): Promise<TrainedRewardModel> {
  const train = decidedPairs(data.train);
  ctx.info({ backend: "js (L-BFGS)", totalSteps: 1 });
  ctx.throwIfCancelled();
  const features = { ...DEFAULT_LINEAR_CONFIG.features, dimensions: 2 ** config.hashBits };
  const model = LinearRewardModel.train(train, { features, l2: config.l2 });
  const score = (prompt: string, completion: string) => model.score(prompt, completion);
  const [fit, held, test] = [train, decidedPairs(data.validation), decidedPairs(data.test)].map((pairs) => scorePairs(pairs, score)) as [RewardMetrics, RewardMetrics, RewardMetrics];
  const validation = metricSeries(held, "val_");
  ctx.progress({ step: 1, loss: fit.loss, metrics: { ...validation, ...metricSeries(test, "test_"), train_accuracy: fit.accuracy } });
  const dir = path.join(ctx.runDir, "reward-model");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, LINEAR_MODEL_FILE), JSON.stringify(model.toJSON()));
  return {
    kind: "linear",
    path: dir,
    metrics: { ...test, ...validation, val_pairs: held.pairs, trainPairs: train.length, trainAccuracy: fit.accuracy, steps: 1 },
    normalization: { mean: model.rewardMean, std: model.rewardStd },
  };
}
