/**
 * Losses of online RL from a reward model: pure functions of per-token (or per-sequence) log-probs
 * of sampled responses, differentiable in `logp` / `values` / per-token entropy (or `logits`).
 *
 * Formulas and metric names follow TRL (PPOTrainer, GRPOTrainer with loss_type "grpo", RLOOTrainer).
 * Where this code differs from TRL it says so next to the code:
 * - approxkl and the entropy are masked means here; TRL's PPOTrainer averages them over padded
 *   positions too (its logprob difference there is 0), so with padding its approxkl is ours times
 *   the fraction of real tokens, and its entropy includes the padding's.
 * - GRPO's clipfrac is TRL's clip_ratio/region_mean (low and high clipping together), and its kl the
 *   token mean TRL logs; RLOO's clipfrac is the same over sequences.
 * Clipping: a token counts as clipped where the clipped objective is the one taken (its gradient is
 * 0), i.e. where clip(ρ)·A < ρ·A: TRL's (pg_losses2 > pg_losses) and its is_region_clipped alike.
 * Metric tensors are for logging only: never differentiate through them.
 */
import * as tf from "@tensorflow/tfjs-core";
// Losses exist to be differentiated, and tfjs-core's Node build registers no gradients; the
// @tensorflow/tfjs bundle does (see trainer/backend.ts).
import "@tensorflow/tfjs";
import { klTensor } from "./kl";

/** Σ x·mask / Σ mask: TRL's masked_mean (all tokens of the batch count equally). */
const maskedMean = (x: tf.Tensor, mask: tf.Tensor): tf.Scalar => tf.div(tf.sum(tf.mul(x, mask)), tf.sum(mask)) as tf.Scalar;

/** 1 where the clipped objective is the one taken: clip(ρ)·A < ρ·A, as float32. */
const clippedAt = (clipped: tf.Tensor, unclipped: tf.Tensor): tf.Tensor => tf.cast(tf.less(clipped, unclipped), "float32");

/** ρ·A and clip(ρ, 1 − ε, 1 + ε)·A for ρ = exp(logp − oldLogp); A broadcast against ρ. */
function surrogates(logp: tf.Tensor, oldLogp: tf.Tensor, advantages: tf.Tensor, clipRange: number) {
  const ratio = tf.exp(tf.sub(logp, oldLogp));
  return { unclipped: tf.mul(ratio, advantages), clipped: tf.mul(tf.clipByValue(ratio, 1 - clipRange, 1 + clipRange), advantages) };
}

/**
 * PPO's clipped surrogate (Schulman 2017) at token level, as TRL: masked mean of
 * max(−ρA, −clip(ρ)A) = −min(ρA, clip(ρ)A). approxkl = 0.5·mean((logp − old)²) (TRL, masked here).
 * All inputs [batch, T]; mask 1 on response tokens.
 */
export function ppoPolicyLoss(logp: tf.Tensor, oldLogp: tf.Tensor, advantages: tf.Tensor, mask: tf.Tensor, clipRange: number): { loss: tf.Scalar; clipfrac: tf.Scalar; approxkl: tf.Scalar } {
  return tf.tidy(() => {
    const { unclipped, clipped } = surrogates(logp, oldLogp, advantages, clipRange); // [batch, T]
    // −ρA first: tf.maximum sends the gradient of a tie to its first argument, the unclipped one.
    const loss = maskedMean(tf.maximum(tf.neg(unclipped), tf.neg(clipped)), mask);
    const approxkl = tf.mul(0.5, maskedMean(tf.square(tf.sub(logp, oldLogp)), mask)) as tf.Scalar;
    return { loss, clipfrac: maskedMean(clippedAt(clipped, unclipped), mask), approxkl };
  });
}

/**
 * PPO's clipped value loss, as TRL: V may move at most ε_v from the value it had at rollout time
 * before the loss stops rewarding it, 0.5·masked mean of max((V − R)², (clip(V, V_old ± ε_v) − R)²).
 * All [batch, T]; clipfrac is TRL's val/clipfrac, the share of tokens where the clipped error is larger.
 */
export function ppoValueLoss(values: tf.Tensor, oldValues: tf.Tensor, returns: tf.Tensor, mask: tf.Tensor, clipRangeValue: number): { loss: tf.Scalar; clipfrac: tf.Scalar } {
  return tf.tidy(() => {
    // old + clip(V − old, ±ε): TRL's clamp(V, old − ε, old + ε) with tensor bounds, gradient included.
    const clippedValues = tf.add(oldValues, tf.clipByValue(tf.sub(values, oldValues), -clipRangeValue, clipRangeValue)); // [batch, T]
    const unclippedError = tf.square(tf.sub(values, returns)); // [batch, T]
    const clippedError = tf.square(tf.sub(clippedValues, returns)); // [batch, T]
    const loss = tf.mul(0.5, maskedMean(tf.maximum(unclippedError, clippedError), mask)) as tf.Scalar;
    return { loss, clipfrac: maskedMean(tf.cast(tf.greater(clippedError, unclippedError), "float32"), mask) };
  });
}

/**
 * Per-token entropy of the token distributions, H = −Σ_v p_v·log p_v with log p = log softmax(z)
 * (TRL's entropy_from_logits, same value): logits [batch, T, vocab] → [batch, T]. Written with
 * ops that have backward rules in preflab's IR too, where rl/ort-policy.ts builds the same value.
 */
export function tokenEntropy(logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits, -1); // [batch, T, vocab]
    return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1));
  });
}

/** The masked mean of per-token entropies [batch, T] (what PPO logs and its entropy bonus weighs). */
export const meanEntropy = (entropy: tf.Tensor, mask: tf.Tensor): tf.Scalar => tf.tidy(() => maskedMean(entropy, mask));

/** Entropy of the token distributions (TRL's entropy_from_logits); masked mean. */
export function entropyFromLogits(logits: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => meanEntropy(tokenEntropy(logits), mask));
}

/**
 * GRPO (Shao 2024, eq. 3) as TRL's loss_type "grpo": per token −[min(ρA, clip(ρ)A) − β·k3], with
 * k3 = KL estimate of π against π_ref (a loss term, not a reward), averaged over each sequence's
 * tokens (TRL clamps the count at 1), then over sequences. advantages [batch]; the rest [batch, T].
 */
export function grpoLoss(logp: tf.Tensor, oldLogp: tf.Tensor, refLogp: tf.Tensor, advantages: tf.Tensor, mask: tf.Tensor, o: { clipRange: number; beta: number }): { loss: tf.Scalar; kl: tf.Scalar; clipfrac: tf.Scalar } {
  return tf.tidy(() => {
    const { unclipped, clipped } = surrogates(logp, oldLogp, tf.expandDims(advantages, 1), o.clipRange); // [batch, T]
    const kl = klTensor(logp, refLogp, "k3"); // [batch, T]
    const perToken = tf.add(tf.neg(tf.minimum(unclipped, clipped)), tf.mul(o.beta, kl)); // [batch, T]
    const perSequence = tf.div(tf.sum(tf.mul(perToken, mask), 1), tf.maximum(tf.sum(mask, 1), 1)); // [batch]
    return { loss: tf.mean(perSequence) as tf.Scalar, kl: maskedMean(kl, mask), clipfrac: maskedMean(clippedAt(clipped, unclipped), mask) };
  });
}

/**
 * RLOO as TRL's current RLOOTrainer: REINFORCE with the leave-one-out baseline, on the sequence
 * level ratio ρ = exp(Σ_t logp − Σ_t old) clipped PPO-style (it matters once a batch is reused for
 * several updates): mean over sequences of −min(ρA, clip(ρ)A). The KL penalty is already in A (the
 * caller's reward r − β·Σ_t k1). All [batch]: summed response log-probs and advantages.
 */
export function rlooLoss(seqLogp: tf.Tensor, oldSeqLogp: tf.Tensor, advantages: tf.Tensor, o: { clipRange: number }): { loss: tf.Scalar; clipfrac: tf.Scalar } {
  return tf.tidy(() => {
    const { unclipped, clipped } = surrogates(seqLogp, oldSeqLogp, advantages, o.clipRange); // [batch]
    return { loss: tf.mean(tf.neg(tf.minimum(unclipped, clipped))) as tf.Scalar, clipfrac: tf.mean(clippedAt(clipped, unclipped)) as tf.Scalar };
  });
}
