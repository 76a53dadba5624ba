/**
 * Offline preference-optimisation losses: pure functions of per-example sequence log-probs.
 *
 * Formulas, defaults and metric names are TRL's (DPOTrainer, CPOTrainer, ORPOTrainer, KTOTrainer)
 * so that runs can be compared with it number for number. Where TRL differs from the papers we
 * follow TRL and say so next to the code:
 * - "ipo" forms h from per-token averaged log-probs (TRL divides all four by the completion
 *   length), and so are its rewards and its logged logps (TRL logs the averaged values).
 * - "simpo" is TRL's CPOTrainer with loss_type="simpo" and cpo_alpha=0 (pure SimPO); TRL's default
 *   cpo_alpha=1 adds the chosen NLL (CPO-SimPO), which the caller would add itself.
 * - "orpo": TRL's NLL is the token mean over the whole batch; here it is the mean over each
 *   example's own completion, so that examples can be weighted (the caller's weightedMean).
 * - reference-free losses (simpo, orpo) report rewards β·avg log π and log averaged logps, as TRL.
 * Losses return per-example values; the caller reduces with `weightedMean` (pair weights from the
 * derivation). Rewards and metric tensors are for logging only: never differentiate through them.
 */
import * as tf from "@tensorflow/tfjs-core";
// Losses exist to be differentiated, and tfjs-core's Node build registers no gradients; the
// @tensorflow/tfjs bundle does (see trainer/backend.ts).
import "@tensorflow/tfjs";

export const PAIR_LOSS_TYPES = ["sigmoid", "hinge", "ipo", "robust", "simpo", "orpo"] as const;
export type PairLossType = (typeof PAIR_LOSS_TYPES)[number];

/** Per-example sequence log-probs of a batch of preference pairs. All [batch]. */
export interface PairLogps {
  chosen: tf.Tensor1D; // Σ_t log π(y_w,t | x, y_w,<t) over completion tokens only (differentiable)
  rejected: tf.Tensor1D; // same for y_l
  refChosen: tf.Tensor1D; // Σ log π_ref(y_w) (constants; zeros for the reference-free losses)
  refRejected: tf.Tensor1D;
  chosenTokens: tf.Tensor1D; // completion token counts (float32), for per-token averaging
  rejectedTokens: tf.Tensor1D;
}

export interface PreferenceLossConfig {
  beta: number; // β (TRL default 0.1; SimPO's own default is set by the caller)
  labelSmoothing: number; // ε: conservative DPO (sigmoid), robust DPO, SimPO; 0 = plain
  simpoGamma: number; // SimPO target margin γ (TRL CPOConfig.simpo_gamma, default 0.5); TRL uses γ/β inside
}

export interface PairLossOutput {
  losses: tf.Tensor1D; // [batch] per-example loss (caller takes the weighted mean)
  chosenRewards: tf.Tensor1D; // [batch] TRL's rewards/chosen; a metric, not a training signal
  rejectedRewards: tf.Tensor1D; // [batch]
  /**
   * [batch] per-example values of loss-specific TRL metrics ("logps/chosen" of the averaging
   * losses, ORPO's "log_odds_ratio", ...); `pairMetrics` logs their batch means, overriding its
   * defaults by name. `tf.dispose(output)` frees these too.
   */
  metrics?: Record<string, tf.Tensor1D>;
}

export type PairLossFn = (x: PairLogps, c: PreferenceLossConfig) => PairLossOutput;

/** −(1−ε)·log σ(z) − ε·log σ(−z): the Bradley-Terry NLL with ε of the labels taken as flipped. */
const smoothedNll = (z: tf.Tensor, eps: number): tf.Tensor1D =>
  tf.add(tf.mul(1 - eps, tf.softplus(tf.neg(z))), tf.mul(eps, tf.softplus(z))) as tf.Tensor1D;

/** Policy log-probs as the loss sees them: summed, or per-token averaged (TRL's average_log_prob). */
function policyLogps(x: PairLogps, averaged: boolean) {
  const per = (logps: tf.Tensor1D, tokens: tf.Tensor1D) => (averaged ? (tf.div(logps, tokens) as tf.Tensor1D) : logps);
  return {
    chosen: per(x.chosen, x.chosenTokens), // [batch]
    rejected: per(x.rejected, x.rejectedTokens),
    refChosen: per(x.refChosen, x.chosenTokens),
    refRejected: per(x.refRejected, x.rejectedTokens),
  };
}

/** Implicit rewards β·(log π − log π_ref) and h, the DPO logit (chosen minus rejected log-ratio). */
function logratios(x: PairLogps, beta: number, averaged: boolean) {
  const p = policyLogps(x, averaged);
  const chosen = tf.sub(p.chosen, p.refChosen); // [batch]
  const rejected = tf.sub(p.rejected, p.refRejected); // [batch]
  const h = tf.sub(chosen, rejected) as tf.Tensor1D; // [batch]
  const rewards = { chosenRewards: tf.mul(beta, chosen) as tf.Tensor1D, rejectedRewards: tf.mul(beta, rejected) as tf.Tensor1D };
  // TRL logs the log-probs its loss used: averaged ones for the averaging losses.
  const metrics = averaged ? { "logps/chosen": p.chosen, "logps/rejected": p.rejected } : undefined;
  return { h, rewards, metrics };
}

/** DPO (Rafailov 2023, eq. 7); ε > 0 is conservative DPO (cDPO), as TRL's label_smoothing. */
const sigmoid: PairLossFn = (x, c) =>
  tf.tidy(() => {
    const { h, rewards } = logratios(x, c.beta, false);
    return { losses: smoothedNll(tf.mul(c.beta, h), c.labelSmoothing), ...rewards };
  });

/** SLiC's hinge on the DPO logit (Zhao 2023), TRL's "hinge": relu(1 − βh). */
const hinge: PairLossFn = (x, c) =>
  tf.tidy(() => {
    const { h, rewards } = logratios(x, c.beta, false);
    return { losses: tf.relu(tf.sub(1, tf.mul(c.beta, h))) as tf.Tensor1D, ...rewards };
  });

/** IPO (Azar 2023, eq. 17): regress h onto 1/(2β) instead of pushing it to infinity. */
const ipo: PairLossFn = (x, c) =>
  tf.tidy(() => {
    const { h, rewards, metrics } = logratios(x, c.beta, true);
    return { losses: tf.square(tf.sub(h, 1 / (2 * c.beta))) as tf.Tensor1D, ...rewards, metrics };
  });

/**
 * Robust DPO (Chowdhury 2024, TRL "robust"): the unbiased loss under ε label noise,
 * [−(1−ε)·log σ(βh) + ε·log σ(−βh)] / (1 − 2ε). Undefined at ε = 1/2 (labels are pure noise).
 */
const robust: PairLossFn = (x, c) =>
  tf.tidy(() => {
    const eps = c.labelSmoothing;
    if (!(eps < 0.5)) throw new RangeError(`robust DPO needs label smoothing < 0.5, got ${eps}`);
    const { h, rewards } = logratios(x, c.beta, false);
    const z = tf.mul(c.beta, h);
    const unbiased = tf.sub(tf.mul(1 - eps, tf.softplus(tf.neg(z))), tf.mul(eps, tf.softplus(z)));
    return { losses: tf.div(unbiased, 1 - 2 * eps) as tf.Tensor1D, ...rewards };
  });

/**
 * SimPO (Meng 2024) as TRL's CPO loss_type="simpo": reference-free, per-token averaged,
 * −log σ(β·(avg log π(y_w) − avg log π(y_l) − γ/β)), label-smoothed like cDPO.
 */
const simpo: PairLossFn = (x, c) =>
  tf.tidy(() => {
    const p = policyLogps(x, true);
    const logits = tf.sub(tf.sub(p.chosen, p.rejected), c.simpoGamma / c.beta); // [batch]
    return {
      losses: smoothedNll(tf.mul(c.beta, logits), c.labelSmoothing),
      chosenRewards: tf.mul(c.beta, p.chosen) as tf.Tensor1D,
      rejectedRewards: tf.mul(c.beta, p.rejected) as tf.Tensor1D,
      metrics: { "logps/chosen": p.chosen, "logps/rejected": p.rejected },
    };
  });

/**
 * log(1 − eᵃ) for a ≤ 0 without cancellation (Mächler 2012, "log1mexp"): log(−expm1(a)) above
 * −ln 2, log1p(−eᵃ) below. Each branch is fed an input clamped into its own safe range, so the
 * branch not taken stays finite and its 0 weight cannot turn into a NaN gradient. The choice is
 * tf.step (which has a zero gradient), not tf.where(tf.greater(...)): tfjs has no Greater gradient.
 */
export function log1mexp(a: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const near = tf.log(tf.neg(tf.expm1(tf.maximum(a, -Math.LN2))));
    const far = tf.log1p(tf.neg(tf.exp(tf.minimum(a, -Math.LN2))));
    const isNear = tf.step(tf.add(a, Math.LN2)); // 1 where a > −ln 2
    return tf.add(tf.mul(isNear, near), tf.mul(tf.sub(1, isNear), far));
  });
}

/**
 * ORPO (Hong 2024) as TRL's ORPOTrainer, on per-token averaged log-probs a = avg log π(y):
 * log odds(y) = a − log(1 − eᵃ); loss = −a_w − β·log σ(log odds(y_w) − log odds(y_l)).
 */
const orpo: PairLossFn = (x, c) =>
  tf.tidy(() => {
    const p = policyLogps(x, true);
    const logOdds = tf.sub(tf.sub(p.chosen, p.rejected), tf.sub(log1mexp(p.chosen), log1mexp(p.rejected))); // [batch]
    const ratio = tf.neg(tf.softplus(tf.neg(logOdds))); // [batch] log σ(log odds ratio)
    const nll = tf.neg(p.chosen); // [batch] the SFT term on y_w
    return {
      losses: tf.sub(nll, tf.mul(c.beta, ratio)) as tf.Tensor1D,
      chosenRewards: tf.mul(c.beta, p.chosen) as tf.Tensor1D,
      rejectedRewards: tf.mul(c.beta, p.rejected) as tf.Tensor1D,
      metrics: {
        "logps/chosen": p.chosen,
        "logps/rejected": p.rejected,
        log_odds_ratio: ratio as tf.Tensor1D,
        log_odds_chosen: logOdds as tf.Tensor1D,
        nll_loss: nll as tf.Tensor1D,
      },
    };
  });

export const PAIR_LOSSES: Record<PairLossType, PairLossFn> = { sigmoid, hinge, ipo, robust, simpo, orpo };

/** Weighted mean Σ w·ℓ / Σ w of per-example losses (0 when every weight is 0). */
export function weightedMean(losses: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tf.mul(weights, losses)), tf.maximum(tf.sum(weights), 1e-12)) as tf.Scalar);
}

/** Where no item may be chosen: finite, so that 0·(−big) and its gradients stay 0, not NaN. */
const ABSENT = -1e9;

/**
 * Plackett-Luce DPO over a ranking (listwise; Rafailov 2023, appendix A.3). utilities
 * u_i = β(log π(y_i) − log π_ref(y_i)); columns in ranked order, best first; mask 1 for present
 * items (rankings of different length in one batch, padded at the end).
 * loss_b = −Σ_{k=0}^{n_b−2} [u_k − logsumexp_{j≥k, present} u_j]. No TRL counterpart.
 */
export function plackettLuceLoss(policy: tf.Tensor2D, reference: tf.Tensor2D, mask: tf.Tensor2D, beta: number): tf.Tensor1D {
  return tf.tidy(() => {
    const n = policy.shape[1];
    const u = tf.mul(beta, tf.sub(policy, reference)); // [batch, n]
    const present = tf.greater(mask, 0.5); // [batch, n]
    const candidates = tf.where(present, u, tf.fill(u.shape, ABSENT)); // padding is never a candidate
    // later[k][j] = 0 where j ≥ k: the k-th pick is made among the items not yet picked.
    const later = tf.tensor2d(Array.from({ length: n }, (_, k) => Array.from({ length: n }, (_, j) => (j >= k ? 0 : ABSENT))));
    const suffix = tf.logSumExp(tf.add(tf.expandDims(candidates, 1), later), 2); // [batch, n]
    // The last present item's term is u − u = 0, so masking by presence alone sums k ≤ n_b − 2.
    return tf.neg(tf.sum(tf.mul(tf.cast(present, "float32"), tf.sub(u, suffix)), 1)) as tf.Tensor1D;
  });
}

/** Unpaired examples for KTO: each completion is labelled desirable or not. All [batch]. */
export interface KtoInputs {
  logps: tf.Tensor1D; // Σ log π(y) over completion tokens (differentiable)
  refLogps: tf.Tensor1D; // Σ log π_ref(y) (constants)
  desirable: tf.Tensor1D; // 1 or 0
  klEstimate: number; // z_ref: the caller's estimate of KL(π‖π_ref) from mismatched pairs, as TRL
}
export interface KtoConfig {
  beta: number; // β (TRL default 0.1)
  desirableWeight: number; // λ_D (TRL default 1)
  undesirableWeight: number; // λ_U (TRL default 1)
}

/**
 * KTO (Ethayarajh 2024, eq. 7) as TRL's KTOTrainer: with logratio = log π(y) − log π_ref(y),
 * desirable λ_D·(1 − σ(β(logratio − z_ref))), undesirable λ_U·(1 − σ(β(z_ref − logratio))).
 * z_ref is a constant clamped at 0 like TRL's (a KL cannot be negative; sampling noise can be).
 */
export function ktoLoss(x: KtoInputs, c: KtoConfig): { losses: tf.Tensor1D; rewards: tf.Tensor1D } {
  return tf.tidy(() => {
    const logratio = tf.sub(x.logps, x.refLogps); // [batch]
    const z = tf.sub(logratio, Math.max(x.klEstimate, 0)); // [batch]
    // 1 − σ(t) = σ(−t), without the cancellation near t ≫ 0.
    const desirable = tf.mul(c.desirableWeight, tf.sigmoid(tf.mul(-c.beta, z)));
    const undesirable = tf.mul(c.undesirableWeight, tf.sigmoid(tf.mul(c.beta, z)));
    const losses = tf.where(tf.greater(x.desirable, 0.5), desirable, undesirable) as tf.Tensor1D;
    return { losses, rewards: tf.mul(c.beta, logratio) as tf.Tensor1D };
  });
}

/**
 * TRL's logged metrics of a pair batch (means over the batch, plain numbers): rewards/chosen,
 * rewards/rejected, rewards/accuracies (strictly higher chosen reward, as TRL), rewards/margins,
 * logps/chosen, logps/rejected (the summed log-probs unless the loss says otherwise), and the
 * loss's own metrics. TRL's logits/chosen and logits/rejected need the model's logits: the caller's.
 */
export function pairMetrics(x: PairLogps, out: PairLossOutput): Record<string, number> {
  const perExample: Record<string, tf.Tensor1D> = {
    "rewards/chosen": out.chosenRewards,
    "rewards/rejected": out.rejectedRewards,
    "logps/chosen": x.chosen,
    "logps/rejected": x.rejected,
    ...out.metrics,
  };
  const means = tf.tidy(() => {
    const batch: Record<string, tf.Tensor> = {
      "rewards/accuracies": tf.mean(tf.cast(tf.greater(out.chosenRewards, out.rejectedRewards), "float32")),
      "rewards/margins": tf.mean(tf.sub(out.chosenRewards, out.rejectedRewards)),
    };
    for (const [name, values] of Object.entries(perExample)) batch[name] = tf.mean(values);
    return batch;
  });
  const metrics = Object.fromEntries(Object.entries(means).map(([name, t]) => [name, t.dataSync()[0]]));
  tf.dispose(means);
  return metrics;
}
