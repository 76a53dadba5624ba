// PPO, GRPO and RLOO, each as what differs between them: how a rollout batch becomes advantages
// (and returns), and the loss of a minibatch. Rollouts, KL estimators, clipping, the update loop
// and logging are shared (rollout.ts, kl.ts, losses.ts, update.ts).
import * as tf from "@tensorflow/tfjs-core";
import { gae, groupAdvantages, leaveOneOutAdvantages, shapedRewards, whiten } from "./advantages";
import type { RlAlgorithm, RlConfig } from "./config";
import { klPerToken } from "./kl";
import { grpoLoss, meanEntropy, ppoPolicyLoss, ppoValueLoss, rlooLoss } from "./losses";
import type { ForwardOut } from "./policy-forward";
import type { Sample } from "./rollout";

/** A sample with its learning signal: per-token advantages and returns (PPO) or one per sequence. */
export interface Scored extends Sample {
  kl: number[];
  advantages: number[];
  returns: number[];
  sequenceAdvantage: number;
}

/** A minibatch as tensors in the [rows, seq-1] layout of ForwardOut (sequence-level ones [rows]). */
export interface MinibatchTensors {
  oldLogp: tf.Tensor2D;
  refLogp: tf.Tensor2D;
  oldValues: tf.Tensor2D;
  advantages: tf.Tensor2D;
  returns: tf.Tensor2D;
  sequenceAdvantages: tf.Tensor1D;
}

export interface Algorithm {
  /** PPO: a value head trained beside the policy, and a loss that reads values and entropy. */
  critic: boolean;
  score(samples: readonly Sample[], c: RlConfig, beta: number): Scored[];
  loss(out: ForwardOut, mb: MinibatchTensors, c: RlConfig): { loss: tf.Scalar; metrics: Record<string, tf.Scalar> };
}

const sum = (v: readonly number[]) => v.reduce((s, x) => s + x, 0);

const ppo: Algorithm = {
  critic: true,
  score: (samples, c, beta) => {
    const perSample = samples.map((s) => {
      const kl = klPerToken(s.oldLogp, s.refLogp, c.klEstimator);
      return { s, kl, ...gae(shapedRewards(s.score, kl, beta), s.values, c.gamma, c.lam) };
    });
    const white = whiten(perSample.map((p) => p.advantages));
    return perSample.map((p, i) => ({ ...p.s, kl: p.kl, advantages: white[i]!, returns: p.returns, sequenceAdvantage: 0 }));
  },
  loss: (out, mb, c) => {
    const policy = ppoPolicyLoss(out.logp, mb.oldLogp, mb.advantages, out.mask, c.clipRange);
    const value = ppoValueLoss(out.values, mb.oldValues, mb.returns, out.mask, c.clipRangeValue);
    const entropy = meanEntropy(out.entropy, out.mask);
    const loss = tf.sub(tf.add(policy.loss, tf.mul(c.valueCoef, value.loss)), tf.mul(c.entropyCoef, entropy)) as tf.Scalar;
    return { loss, metrics: { "policy/clipfrac": policy.clipfrac, "policy/approxkl": policy.approxkl, "loss/policy_avg": policy.loss, "loss/value_avg": value.loss, "val/clipfrac": value.clipfrac, "policy/entropy": entropy } };
  },
};

const approxKl = (out: ForwardOut, mb: MinibatchTensors) =>
  tf.div(tf.mul(0.5, tf.sum(tf.mul(tf.square(tf.sub(out.logp, mb.oldLogp)), out.mask))), tf.maximum(tf.sum(out.mask), 1)) as tf.Scalar;

const grpo: Algorithm = {
  critic: false,
  // The KL to the reference is a loss term (k3), not part of the reward.
  score: (samples, c) => {
    const advantages = groupAdvantages(samples.map((s) => s.score), c.samplesPerPrompt);
    return samples.map((s, i) => ({ ...s, kl: klPerToken(s.oldLogp, s.refLogp, "k3"), advantages: [], returns: [], sequenceAdvantage: advantages[i]! }));
  },
  loss: (out, mb, c) => {
    const l = grpoLoss(out.logp, mb.oldLogp, mb.refLogp, mb.sequenceAdvantages, out.mask, { clipRange: c.clipRange, beta: c.beta });
    return { loss: l.loss, metrics: { "policy/clipfrac": l.clipfrac, "policy/approxkl": approxKl(out, mb), "loss/policy_avg": l.loss, kl: l.kl } };
  },
};

const rloo: Algorithm = {
  critic: false,
  // REINFORCE on the KL-shaped sequence reward r − β·Σ_t KL_t, baseline: the other k−1 samples' mean.
  score: (samples, c, beta) => {
    const kls = samples.map((s) => klPerToken(s.oldLogp, s.refLogp, c.klEstimator));
    const advantages = leaveOneOutAdvantages(samples.map((s, i) => s.score - beta * sum(kls[i]!)), c.samplesPerPrompt);
    return samples.map((s, i) => ({ ...s, kl: kls[i]!, advantages: [], returns: [], sequenceAdvantage: advantages[i]! }));
  },
  loss: (out, mb, c) => {
    const l = rlooLoss(tf.sum(out.logp, 1), tf.sum(mb.oldLogp, 1), mb.sequenceAdvantages, { clipRange: c.clipRange });
    return { loss: l.loss, metrics: { "policy/clipfrac": l.clipfrac, "policy/approxkl": approxKl(out, mb), "loss/policy_avg": l.loss } };
  },
};

export const ALGORITHMS: Record<RlAlgorithm, Algorithm> = { ppo, grpo, rloo };
