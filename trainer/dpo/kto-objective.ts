// KTO as an objective of the one training loop. Each example is one completion labelled desirable
// or not; the reference point z_ref is TRL's: the batch's KL estimate from mismatched pairs (each
// example's prompt with another example's completion), computed without gradients and clamped at 0.
import * as tf from "@tensorflow/tfjs-core";
import { tokenizeCompletion, sequenceLogps, type TokenizedCompletion, type TruncationLimits } from "../policy/sequences";
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

/** KL(π‖π_ref) estimated on the batch's mismatched pairs, as a plain number (no gradient flows through z_ref). */
function klEstimate(policy: TrainablePolicy, batch: readonly KtoTrainingExample[]): number {
  const logps = tf.tidy(() => sequenceLogps(policy, batch.map((e) => e.mismatched)).dataSync());
  return batch.reduce((s, e, i) => s + logps[i]! - e.mismatchedRef, 0) / batch.length;
}

const meanWhere = (values: number[], keep: boolean[]) => {
  const picked = values.filter((_, i) => keep[i]);
  return picked.length ? picked.reduce((s, v) => s + v, 0) / picked.length : 0;
};

export function ktoBatch(policy: TrainablePolicy, batch: readonly KtoTrainingExample[], c: KtoConfig): BatchOutput {
  const kl = klEstimate(policy, batch);
  const logps = sequenceLogps(policy, batch.map((e) => e.row)); // [batch]
  const desirable = batch.map((e) => e.desirable);
  const { losses, rewards } = ktoLoss({ logps, refLogps: tf.tensor1d(batch.map((e) => e.ref)), desirable: tf.tensor1d(desirable.map(Number)), klEstimate: kl }, c);
  const r = Array.from(rewards.dataSync());
  const lp = Array.from(logps.dataSync());
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

export function ktoObjective(policy: TrainablePolicy, splits: TrainingSplits<KtoTrainingExample>, c: KtoConfig): Objective<KtoTrainingExample[]> {
  return policyObjective(policy, splits, c, (batch) => ktoBatch(policy, batch, c));
}
