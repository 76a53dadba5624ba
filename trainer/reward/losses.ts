/**
 * Reward-model losses: pure functions of per-pair rewards, chosen by tie mode.
 *
 * Every mode scores a decided pair by the Bradley-Terry likelihood with an optional margin m
 * (a strongly preferred answer must win by more): −log σ(r_c − r_r − m). They differ on ties:
 * - "exclude" (the default): ties carry no information about which answer is better, and half of
 *   the known tie models' behaviour comes from a threshold we would have to guess; so they are
 *   dropped, as InstructGPT and TRL's RewardTrainer do.
 * - "rao-kupper" (Rao & Kupper 1967): a tie when |r_c − r_r| is under a threshold η:
 *   P(win) = σ(d − η), P(tie) = 1 − σ(d − η) − σ(−d − η).
 * - "davidson" (Davidson 1970): P(win) ∝ e^{d/2}, P(loss) ∝ e^{−d/2}, P(tie) ∝ ν.
 * Both-bad is never a tie: callers drop it before building the batch.
 * The loss is the weighted mean over counted pairs (weights from the pair derivation, so a ranking
 * of N weighs as one judgement) plus the centering term λ·mean((r_c + r_r)²) over the batch,
 * which pins the reward's free offset near 0.
 */
import * as tf from "@tensorflow/tfjs-core";
// Losses exist to be differentiated, and tfjs-core's Node build registers no gradients; the
// @tensorflow/tfjs bundle does (its own register_all_gradients fails under plain Node, see backend.ts).
import "@tensorflow/tfjs";

import type { TieMode } from "./tie-modes";

export { TIE_MODES, type TieMode } from "./tie-modes";

export interface RewardPairBatch {
  chosen: tf.Tensor1D; // [batch] reward of the preferred (or, for a tie, the first) answer
  rejected: tf.Tensor1D; // [batch] reward of the other answer
  margin?: tf.Tensor1D; // [batch] required reward gap m, e.g. from judgement strength; 0 if absent
  weight?: tf.Tensor1D; // [batch] weight from the pair derivation; 1 if absent
  tie?: tf.Tensor1D; // [batch] 1 for a tie, 0 for a decided pair; all 0 if absent
}

export interface RewardLossConfig {
  /** How tied judgements enter the loss (see above); "exclude" unless the data is tie-heavy. */
  tieMode: TieMode;
  /** λ of the centering term; 0.01 is the usual choice, 0 turns it off. */
  centering: number;
  /** Rao-Kupper threshold η = log θ >= 0; `raoKupperThresholdForTieRate` fits it to the data. */
  tieThreshold: number;
  /** Davidson tie strength ν > 0; `davidsonStrengthForTieRate` fits it to the data. */
  tieStrength: number;
}

/** Rao-Kupper η that reproduces tie rate t between equally good answers: 1 − 2σ(−η) = t. */
export const raoKupperThresholdForTieRate = (t: number): number => Math.log((1 + t) / (1 - t));
/** Davidson ν that reproduces tie rate t between equally good answers: ν / (2 + ν) = t. */
export const davidsonStrengthForTieRate = (t: number): number => (2 * t) / (1 - t);

export const DEFAULT_REWARD_LOSS_CONFIG: RewardLossConfig = {
  tieMode: "exclude",
  centering: 0,
  tieThreshold: raoKupperThresholdForTieRate(0.2),
  tieStrength: davidsonStrengthForTieRate(0.2),
};

export type LossFn = (batch: RewardPairBatch, config: RewardLossConfig) => tf.Scalar;

/** log(e^a + e^b) with a smooth gradient everywhere (σ(a − b), σ(b − a)). */
const logAddExp = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.add(a, tf.softplus(tf.sub(b, a)));

/** Per-pair NLL of the decided pairs, with and without a tie model around it. */
function pairParts(batch: RewardPairBatch) {
  const d = tf.sub(batch.chosen, batch.rejected); // [batch]
  const shifted = batch.margin ? tf.sub(d, batch.margin) : d; // [batch] d − m
  const weight = batch.weight ?? tf.onesLike(d);
  const tie = batch.tie ?? tf.zerosLike(d);
  return { d, shifted, weight, tie };
}

/** Σ w·nll / Σ w plus λ·mean((r_c + r_r)²). */
function reduce(batch: RewardPairBatch, nll: tf.Tensor, weight: tf.Tensor, config: RewardLossConfig): tf.Scalar {
  const total = tf.sum(tf.mul(weight, nll));
  const fit = tf.div(total, tf.maximum(tf.sum(weight), 1e-12));
  if (config.centering === 0) return fit as tf.Scalar;
  const center = tf.mean(tf.square(tf.add(batch.chosen, batch.rejected)));
  return tf.add(fit, tf.mul(config.centering, center)) as tf.Scalar;
}

const excludeTies: LossFn = (batch, config) =>
  tf.tidy(() => {
    const { shifted, weight, tie } = pairParts(batch);
    const nll = tf.softplus(tf.neg(shifted)); // −log σ(d − m)
    return reduce(batch, nll, tf.mul(weight, tf.sub(1, tie)), config);
  });

const raoKupper: LossFn = (batch, config) =>
  tf.tidy(() => {
    const { d, shifted, weight, tie } = pairParts(batch);
    const eta = config.tieThreshold;
    const winNll = tf.softplus(tf.sub(eta, shifted)); // −log σ(d − m − η)
    const half = tf.div(d, 2);
    // −log P(tie) = −log(e^{2η} − 1) + log(e^{d/2} + e^{η−d/2}) + log(e^{η+d/2} + e^{−d/2})
    const tieNll = tf.sub(
      tf.add(logAddExp(half, tf.sub(eta, half)), logAddExp(tf.add(eta, half), tf.neg(half))),
      Math.log(Math.expm1(2 * eta)),
    );
    return reduce(batch, tf.add(tf.mul(tf.sub(1, tie), winNll), tf.mul(tie, tieNll)), weight, config);
  });

const davidson: LossFn = (batch, config) =>
  tf.tidy(() => {
    const { d, shifted, weight, tie } = pairParts(batch);
    const logNu = Math.log(config.tieStrength);
    const normalizer = (x: tf.Tensor) => tf.logSumExp(tf.stack([tf.div(x, 2), tf.div(x, -2), tf.fill(x.shape, logNu)]), 0);
    const winNll = tf.sub(normalizer(shifted), tf.div(shifted, 2)); // −log e^{x/2} / Z(x), x = d − m
    const tieNll = tf.sub(normalizer(d), logNu); // −log ν / Z(d)
    return reduce(batch, tf.add(tf.mul(tf.sub(1, tie), winNll), tf.mul(tie, tieNll)), weight, config);
  });

export const REWARD_LOSSES: Record<TieMode, LossFn> = {
  exclude: excludeTies,
  "rao-kupper": raoKupper,
  davidson,
};

/** The configured loss, defaults filled in. */
export function rewardLoss(batch: RewardPairBatch, config: Partial<RewardLossConfig> = {}): tf.Scalar {
  const full = { ...DEFAULT_REWARD_LOSS_CONFIG, ...config };
  return REWARD_LOSSES[full.tieMode](batch, full);
}
