// SFT on completions as an objective of the one training loop: the mean negative log-likelihood
// of the completion tokens only (the prompt is context, not something to imitate).
import * as tf from "@tensorflow/tfjs-core";
import { completionLengths, sequenceLogps, type TokenizedCompletion } from "../policy/sequences";
import type { TrainablePolicy } from "../policy/trainable-policy";
import type { Objective } from "../train/loop";
import type { BatchOutput } from "../policy/batch-output";
import { policyObjective, type TrainingSplits } from "../policy/objective";

export interface SftTrainingExample {
  prompt: string;
  row: TokenizedCompletion;
}

/** Token-weighted mean NLL of the batch's completion tokens (as TRL's completion-only loss). */
export function sftBatch(policy: TrainablePolicy, batch: readonly SftTrainingExample[]): BatchOutput {
  const rows = batch.map((e) => e.row);
  const tokens = tf.sum(completionLengths(rows));
  const loss = tf.div(tf.neg(tf.sum(sequenceLogps(policy, rows))), tokens) as tf.Scalar;
  return { loss, metrics: { tokens: tokens.dataSync()[0]! } };
}

export function sftObjective(policy: TrainablePolicy, splits: TrainingSplits<SftTrainingExample>, c: { batchSize: number; seed: number }): Objective<SftTrainingExample[]> {
  const tokens = (batch: SftTrainingExample[]) => batch.reduce((s, e) => s + e.row.promptIds.length + e.row.completionIds.length, 0);
  return policyObjective(policy, splits, c, (batch) => sftBatch(policy, batch), tokens);
}
