// DPO and its family as objectives of the one training loop: a batch of pairs (or rankings) is one
// forward pass over all its completions; the loss is the configured variant's, weighted by the
// derivation's weights; TRL's metrics are logged beside it. Evaluation runs the same computation
// without gradients over a held-out split.
import * as tf from "@tensorflow/tfjs-core";
import { completionLengths, sequenceLogps, type PolicyForward, type TokenizedCompletion } from "../policy/sequences";
import type { TrainablePolicy } from "../policy/trainable-policy";
import type { Objective } from "../train/loop";
import type { BatchOutput } from "../policy/batch-output";
import { policyObjective, type TrainingSplits } from "../policy/objective";
import type { PreferenceConfig } from "./config";
import type { ListExample, PairExample } from "./examples";
import { PAIR_LOSSES, pairMetrics, plackettLuceLoss, weightedMean } from "./losses";

/**
 * Loss and TRL metrics of a batch of pairs from its rows' summed completion log-probs `logps`
 * [2·batch: chosen then rejected] and their completion `lengths` (inside a tape or a tidy). The
 * one definition both engines run: tfjs's forward (pairBatch) or ONNX Runtime's (./ort-pairs.ts).
 */
export function pairLoss(logps: tf.Tensor1D, lengths: tf.Tensor1D, batch: readonly PairExample[], c: PreferenceConfig): BatchOutput {
  const n = batch.length;
  const x = {
    chosen: tf.slice(logps, 0, n), rejected: tf.slice(logps, n, n),
    refChosen: tf.tensor1d(batch.map((e) => e.refChosen)), refRejected: tf.tensor1d(batch.map((e) => e.refRejected)),
    chosenTokens: tf.slice(lengths, 0, n), rejectedTokens: tf.slice(lengths, n, n),
  };
  const out = PAIR_LOSSES[c.lossType as keyof typeof PAIR_LOSSES](x, c);
  return { loss: weightedMean(out.losses, tf.tensor1d(batch.map((e) => e.weight))), metrics: pairMetrics(x, out) };
}

/** A batch of pairs as rows: every chosen completion, then every rejected one. */
export function chosenThenRejected(batch: readonly PairExample[]): TokenizedCompletion[] {
  return [...batch.map((e) => e.chosen), ...batch.map((e) => e.rejected)];
}

/** Loss and TRL metrics of a batch of pairs on tfjs (inside a tape or a tidy). */
export function pairBatch(policy: PolicyForward, batch: readonly PairExample[], c: PreferenceConfig): BatchOutput {
  const rows = chosenThenRejected(batch);
  return pairLoss(sequenceLogps(policy, rows), completionLengths(rows), batch, c);
}

/** The widest ranking of a batch: the width its lists are padded to. */
export const listWidth = (batch: readonly ListExample[]) => Math.max(...batch.map((e) => e.ranked.length));

/**
 * Plackett-Luce loss of a batch of rankings from their completions' summed log-probs `logps`
 * [batch·width, width = listWidth(batch): list b's k-th completion at b·width + k; a shorter
 * list's padding entries are read by nothing] (inside a tape or a tidy); metrics compare best and
 * worst. The one definition both engines run: tfjs's forward (listBatch) or ONNX Runtime's
 * (./ort-rank.ts).
 */
export function listLoss(logps: tf.Tensor1D, batch: readonly ListExample[], c: PreferenceConfig): BatchOutput {
  const width = listWidth(batch);
  const mask = tf.tensor2d(batch.map((e) => Array.from({ length: width }, (_, k) => (k < e.ranked.length ? 1 : 0))));
  const policyLogps = tf.reshape(logps, [batch.length, width]) as tf.Tensor2D; // [batch, width]
  const reference = tf.tensor2d(batch.map((e) => Array.from({ length: width }, (_, k) => e.refs[k] ?? 0)));
  const loss = tf.mean(plackettLuceLoss(policyLogps, reference, mask, c.beta)) as tf.Scalar;
  const utilities = tf.mul(c.beta, tf.sub(policyLogps, reference)).arraySync() as number[][];
  const best = batch.map((_, b) => utilities[b]![0]!);
  const worst = batch.map((e, b) => utilities[b]![e.ranked.length - 1]!);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  return {
    loss,
    metrics: {
      "rewards/chosen": mean(best), "rewards/rejected": mean(worst),
      "rewards/accuracies": mean(best.map((v, i) => (v > worst[i]! ? 1 : 0))), "rewards/margins": mean(best.map((v, i) => v - worst[i]!)),
    },
  };
}

/** Plackett-Luce loss of a batch of rankings on tfjs (inside a tape or a tidy): one forward over every ranked completion, padded into listLoss's layout. */
export function listBatch(policy: PolicyForward, batch: readonly ListExample[], c: PreferenceConfig): BatchOutput {
  const width = listWidth(batch);
  const flat = sequenceLogps(policy, batch.flatMap((e) => e.ranked)); // [Σ n_b]
  const offsets = batch.map((_, b) => batch.slice(0, b).reduce((s, e) => s + e.ranked.length, 0));
  // Each ranking into a padded row through a 0/1 selection matrix (gather's gradient needs
  // UnsortedSegmentSum, which the wasm backend lacks); padding selects nothing and is masked out.
  const selection = batch.flatMap((e, b) => Array.from({ length: width }, (_, k) => Array.from({ length: flat.shape[0] }, (_, j) => (k < e.ranked.length && j === offsets[b]! + k ? 1 : 0))));
  const padded = tf.reshape(tf.matMul(tf.tensor2d(selection), tf.reshape(flat, [-1, 1])), [-1]) as tf.Tensor1D; // [batch·width]
  return listLoss(padded, batch, c);
}

export function pairObjective(policy: TrainablePolicy, splits: TrainingSplits<PairExample>, c: PreferenceConfig): Objective<PairExample[]> {
  return policyObjective(policy, splits, c, (batch) => pairBatch(policy, batch, c));
}

export function listObjective(policy: TrainablePolicy, splits: TrainingSplits<ListExample>, c: PreferenceConfig): Objective<ListExample[]> {
  return policyObjective(policy, splits, c, (batch) => listBatch(policy, batch, c));
}
