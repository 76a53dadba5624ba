/**
 * The neural reward model as an Objective of the one training loop (trainer/train/loop.ts):
 * batches of pairs in the seeded order of train/batch-order.ts (a function of the step, so a
 * resumed run sees the same batches), the configured Bradley-Terry loss, validation metrics as
 * val_* (early stopping reads val_loss), and saving as an HF sequence classifier that carries the
 * reward moments of the validation that chose it.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { batchIndices } from "../train/batch-order";
import type { Objective } from "../train/loop";
import { buildRewardBatch, type TokenizedPair } from "./batch";
import { metricSeries } from "./executor-record";
import { SCORE_WEIGHT } from "./head";
import type { RewardLossConfig } from "./losses";
import { rewardMetrics, type RewardMetrics } from "./metrics";
import { scoreSequences } from "./scorer-neural";
import { rewardBatchLoss } from "./step";
import { hiddenStatesOf, saveNeuralRewardModel, type NeuralRewardModel } from "./train-neural-model";

export interface RewardObjectiveOptions {
  /** Pairs per step. */
  batchSize: number;
  /** Seed of the batch order. */
  seed: number;
  /** Tokens kept per sequence (its end), ≤ the backbone's context. */
  maxLength: number;
  lossConfig: RewardLossConfig;
}

/** Metrics of the current weights on decided pairs (no gradients). */
export function evaluatePairs(model: NeuralRewardModel, pairs: readonly TokenizedPair[], maxLength: number, batchRows: number): RewardMetrics {
  const scores = scoreSequences(model, [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)], { maxLength, batchRows });
  return rewardMetrics({
    chosen: scores.subarray(0, pairs.length),
    rejected: scores.subarray(pairs.length),
    weight: pairs.map((p) => p.weight ?? 1),
    margin: pairs.map((p) => p.margin ?? 0),
  });
}

/** `validation` holds decided pairs only: ties say nothing about which answer is better. */
export function rewardObjective(
  model: NeuralRewardModel,
  splits: { train: readonly TokenizedPair[]; validation: readonly TokenizedPair[] },
  o: RewardObjectiveOptions,
): Objective<TokenizedPair[]> {
  const hidden = hiddenStatesOf(model);
  const score = model.variables[SCORE_WEIGHT] as unknown as tf.Tensor2D;
  const padId = model.tokenizer.eosId;
  let moments: { mean: number; std: number } | null = null; // of the latest validation
  return {
    trainable: model.variables,
    batch: (step) => batchIndices(step, o.batchSize, splits.train.length, o.seed).map((i) => splits.train[i]!),
    loss: (batch) => ({ loss: rewardBatchLoss(hidden, score, buildRewardBatch(batch, { maxLength: o.maxLength, padId, sequenceStart: model.tokenizer.sequenceStart }), o.lossConfig) }),
    evaluate: () => {
      const held = evaluatePairs(model, splits.validation, o.maxLength, 2 * o.batchSize);
      moments = { mean: held.rewardMean, std: held.rewardStd };
      // The raw loss, not the charted 0 a NaN becomes: early stopping must see a diverged model as one.
      return { ...metricSeries(held, "val_"), val_loss: held.loss };
    },
    // The loop saves right after an evaluation (the best model, a checkpoint): these are its moments.
    save: (dir) => saveNeuralRewardModel(dir, model, moments),
  };
}
