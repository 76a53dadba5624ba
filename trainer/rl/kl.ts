/**
 * The KL penalty of online RL from a reward model: per-token estimators of KL(π‖π_ref) from the
 * log-probs of the sampled tokens, and the controllers that set its weight β.
 *
 * Estimators (Schulman, "Approximating KL divergence", 2020), with d = log π_ref − log π of a token
 * drawn from π: k1 = −d (unbiased, can be negative per token), k3 = (e^d − 1) − d (unbiased,
 * never negative, 0 exactly where π = π_ref). TRL's PPOTrainer uses either (kl_estimator), its
 * GRPOTrainer k3 as a loss term. k3 is computed with expm1: e^d − 1 in float32 loses everything
 * below ~1e-7, where the policy has barely moved from the reference.
 */
import * as tf from "@tensorflow/tfjs-core";
// k3 on tensors is a loss term (GRPO) and must be differentiated; the bundle registers gradients.
import "@tensorflow/tfjs";

export const KL_ESTIMATORS = ["k1", "k3"] as const;
export type KlEstimator = (typeof KL_ESTIMATORS)[number];

const NUMBER_ESTIMATORS: Record<KlEstimator, (logp: number, ref: number) => number> = {
  k1: (logp, ref) => logp - ref,
  k3: (logp, ref) => Math.expm1(ref - logp) - (ref - logp),
};

const TENSOR_ESTIMATORS: Record<KlEstimator, (logp: tf.Tensor, ref: tf.Tensor) => tf.Tensor> = {
  k1: (logp, ref) => tf.sub(logp, ref),
  k3: (logp, ref) => {
    const d = tf.sub(ref, logp);
    return tf.sub(tf.expm1(d), d);
  },
};

/** Per-token KL estimate from log π and log π_ref of the sampled tokens (plain numbers, one response). */
export function klPerToken(logp: readonly number[], ref: readonly number[], estimator: KlEstimator): number[] {
  if (logp.length !== ref.length) throw new RangeError(`klPerToken: ${logp.length} log-probs but ${ref.length} reference log-probs`);
  const k = NUMBER_ESTIMATORS[estimator];
  return logp.map((lp, t) => k(lp, ref[t]!));
}

/** The same on tensors, differentiable in `logp`: [batch, T] → [batch, T]. */
export function klTensor(logp: tf.Tensor, ref: tf.Tensor, estimator: KlEstimator): tf.Tensor {
  return tf.tidy(() => TENSOR_ESTIMATORS[estimator](logp, ref));
}

/** What the PPO loop reads β from and reports the measured KL to. */
export interface KlController {
  value: number;
  update(currentKl: number, nSteps: number): void;
}

/**
 * Ziegler et al. (2019)'s adaptive β, as TRL's AdaptiveKLController: the proportional error
 * KL/target − 1 is clipped to ±0.2 so that one odd batch cannot swing β, and scaled by
 * nSteps/horizon (nSteps: samples in the batch just measured) so that β changes slowly.
 */
export class AdaptiveKlController implements KlController {
  value: number;

  constructor(
    initBeta: number,
    readonly target: number,
    readonly horizon: number,
  ) {
    if (!(initBeta > 0 && target > 0 && horizon > 0)) throw new RangeError(`adaptive KL needs β, target and horizon > 0, got ${initBeta}, ${target}, ${horizon}`);
    this.value = initBeta;
  }

  update(currentKl: number, nSteps: number): void {
    const error = Math.min(0.2, Math.max(-0.2, currentKl / this.target - 1));
    this.value *= 1 + (error * nSteps) / this.horizon;
  }
}

/** A constant β (TRL's FixedKLController): update ignores the measured KL. */
export class FixedKlController implements KlController {
  constructor(public value: number) {}

  update(): void {}
}
