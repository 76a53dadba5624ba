/**
 * What the neural reward objective feeds on: pairs as token ids (the text scoring reads too), and
 * the loss settings, with the tie parameter fitted to the data when not given.
 */
import type { Tokenizer } from "../tokenizer/tokenizer";
import type { TokenizedPair } from "./batch";
import type { RewardConfig } from "./config";
import type { RewardTrainingPair } from "./executor-data";
import { davidsonStrengthForTieRate, DEFAULT_REWARD_LOSS_CONFIG, raoKupperThresholdForTieRate, type RewardLossConfig } from "./losses";
import { rewardTokens } from "./scorer-tokens";

export function tokenizePairs(tokenizer: Tokenizer, pairs: readonly RewardTrainingPair[]): TokenizedPair[] {
  return pairs.map((p) => ({
    chosen: rewardTokens(tokenizer, p.prompt, p.chosen),
    rejected: rewardTokens(tokenizer, p.prompt, p.rejected),
    weight: p.weight,
    margin: p.margin,
    tie: p.tie,
  }));
}

/** Loss settings; a null tieParameter fits Rao-Kupper η / Davidson ν to the training tie rate. */
export function lossConfigFor(config: RewardConfig, train: readonly RewardTrainingPair[]): RewardLossConfig {
  const weight = (ps: readonly RewardTrainingPair[]) => ps.reduce((s, p) => s + p.weight, 0);
  const tieRate = train.length > 0 ? weight(train.filter((p) => p.tie)) / weight(train) : 0;
  const fitted = tieRate > 0 && tieRate < 1;
  return {
    tieMode: config.tieMode,
    centering: config.centering,
    tieThreshold: config.tieParameter ?? (fitted ? raoKupperThresholdForTieRate(tieRate) : DEFAULT_REWARD_LOSS_CONFIG.tieThreshold),
    tieStrength: config.tieParameter ?? (fitted ? davidsonStrengthForTieRate(tieRate) : DEFAULT_REWARD_LOSS_CONFIG.tieStrength),
  };
}
