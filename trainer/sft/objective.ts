// SFT on completions as an objective of the one training loop: the mean negative log-likelihood
// of the completion tokens only (the prompt is context, not something to imitate).
import * as tf from "@tensorflow/tfjs-core";
import { completionLengths, sequenceLogps, type TokenizedCompletion } from "../policy/sequences";
import type { TrainablePolicy } from "../policy/trainable-policy";
import { batchIndices } from "../train/batch-order";
import type { Objective } from "../train/loop";
import { evaluateSplit, type BatchOutput } from "../policy/batch-output";

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

export function sftObjective(policy: TrainablePolicy, splits: { train: SftTrainingExample[]; validation: SftTrainingExample[] }, c: { batchSize: number; seed: number }): Objective<SftTrainingExample[]> {
  const run = (batch: readonly SftTrainingExample[]) => sftBatch(policy, batch);
  return {
    trainable: policy.trainable,
    batch: (step) => batchIndices(step, c.batchSize, splits.train.length, c.seed).map((i) => splits.train[i]!),
    loss: run,
    evaluate: () => evaluateSplit(splits.validation, c.batchSize, run, "eval_"),
    save: (dir) => policy.save(dir),
    saveState: (dir) => policy.saveState(dir),
    tokensPerStep: (batch) => batch.reduce((s, e) => s + e.row.promptIds.length + e.row.completionIds.length, 0),
  };
}
