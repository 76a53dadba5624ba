// KTO as an objective of the one training loop. Each example is one completion labelled desirable
// or not; the reference point z_ref is TRL's: the batch's KL estimate from mismatched pairs (each
// example's prompt with another example's completion), computed without gradients and clamped at 0.
import * as tf from "@tensorflow/tfjs-core";
import { tokenizeCompletion, sequenceLogps, type PolicyForward, type TokenizedCompletion, type TruncationLimits } from "../policy/sequences";
import type { TrainablePolicy } from "../policy/trainable-policy";
import type { Tokenizer } from "../tokenizer/tokenizer";
import type { Objective } from "../train/loop";
import type { KtoConfig } from "./config";
import type { KtoExample } from "./data";
import { ktoLoss } from "./losses";
import type { BatchOutput } from "../policy/batch-output";
import { policyObjective, type TrainingSplits } from "../policy/objective";

export interface KtoTrainingExample {
  prompt: string;
  row: TokenizedCompletion;
  desirable: boolean;
  ref: number;
  /** This example's prompt with the next example's completion: what the KL estimate reads. */
  mismatched: TokenizedCompletion;
  mismatchedRef: number;
}

/** Tokenised examples, each with its mismatched partner (the next example's completion, cyclically). */
export function tokenizeKto(tokenizer: Tokenizer, examples: readonly KtoExample[], limits: TruncationLimits): KtoTrainingExample[] {
  return examples
    .map((e, i) => {
      const other = examples[(i + 1) % examples.length]!;
      return {
        prompt: e.prompt, desirable: e.desirable, ref: 0, mismatchedRef: 0,
        row: tokenizeCompletion(tokenizer, e.prompt, e.completion, limits),
        mismatched: tokenizeCompletion(tokenizer, e.prompt, other.completion, limits),
      };
    })
    .filter((e) => e.row.completionIds.length > 0 && e.mismatched.completionIds.length > 0);
}

export const ktoRows = (examples: readonly KtoTrainingExample[]) => examples.flatMap((e) => [e.row, e.mismatched]);

export function attachKtoReferences(examples: KtoTrainingExample[], refs: Float64Array): void {
  examples.forEach((e, i) => {
    e.ref = refs[2 * i]!;
    e.mismatchedRef = refs[2 * i + 1]!;
  });
}

const meanWhere = (values: number[], keep: boolean[]) => {
  const picked = values.filter((_, i) => keep[i]);
  return picked.length ? picked.reduce((s, v) => s + v, 0) / picked.length : 0;
};

/** A batch as rows: every example's completion, then every example's mismatched one (the KL estimate's). */
export function completionsThenMismatched(batch: readonly KtoTrainingExample[]): TokenizedCompletion[] {
  return [...batch.map((e) => e.row), ...batch.map((e) => e.mismatched)];
}

/**
 * Loss and metrics of a KTO batch from its rows' summed completion log-probs `logps` [≥ 2·batch,
 * completionsThenMismatched; later rows are read by nothing] (inside a tape or a tidy). z_ref, the
 * KL estimate of the mismatched rows, is read as a plain number: no gradient flows through it
 * (TRL detaches it too). The one definition both engines run: tfjs's forward (ktoBatch) or ONNX
 * Runtime's (./ort-kto.ts).
 */
export function ktoLossOfLogps(logps: tf.Tensor1D, batch: readonly KtoTrainingExample[], c: KtoConfig): BatchOutput {
  const n = batch.length;
  const mismatched = tf.slice(logps, n, n).dataSync();
  const kl = batch.reduce((s, e, i) => s + mismatched[i]! - e.mismatchedRef, 0) / n;
  const completions = tf.slice(logps, 0, n);
  const desirable = batch.map((e) => e.desirable);
  const { losses, rewards } = ktoLoss({ logps: completions, refLogps: tf.tensor1d(batch.map((e) => e.ref)), desirable: tf.tensor1d(desirable.map(Number)), klEstimate: kl }, c);
  const r = Array.from(rewards.dataSync());
  const lp = Array.from(completions.dataSync());
  const undesirable = desirable.map((d) => !d);
  return {
    loss: tf.mean(losses) as tf.Scalar,
    metrics: {
      kl: Math.max(kl, 0),
      "rewards/chosen": meanWhere(r, desirable), "rewards/rejected": meanWhere(r, undesirable),
      "rewards/margins": meanWhere(r, desirable) - meanWhere(r, undesirable),
      "logps/chosen": meanWhere(lp, desirable), "logps/rejected": meanWhere(lp, undesirable),
    },
  };
}

/** Loss and metrics of a KTO batch on tfjs (inside a tape or a tidy). */
export function ktoBatch(policy: PolicyForward, batch: readonly KtoTrainingExample[], c: KtoConfig): BatchOutput {
  // The mismatched rows go through their own forward off the gradient's path: their log-probs
  // enter the loss as constants, so the backward pass covers the completions only.
  const mismatched = tf.tidy(() => sequenceLogps(policy, batch.map((e) => e.mismatched)).dataSync());
  const completions = sequenceLogps(policy, batch.map((e) => e.row)); // [batch]
  return ktoLossOfLogps(tf.concat([completions, tf.tensor1d(mismatched)]), batch, c);
}

export function ktoObjective(policy: TrainablePolicy, splits: TrainingSplits<KtoTrainingExample>, c: KtoConfig): Objective<KtoTrainingExample[]> {
  return policyObjective(policy, splits, c, (batch) => ktoBatch(policy, batch, c));
}
