// A policy run's objective for the one training loop, from what differs between DPO, KTO and SFT
// (the loss and metrics of a batch) and what they share: seeded batches over the training split,
// validation over the held-out split, saving the policy (LoRA merged) and its resumable extras.
import { batchIndices } from "../train/batch-order";
import type { Objective } from "../train/loop";
import { evaluateSplit, type BatchOutput } from "./batch-output";
import type { TrainablePolicy } from "./trainable-policy";

export interface TrainingSplits<E> {
  train: E[];
  validation: E[];
}

export function policyObjective<E>(
  policy: TrainablePolicy,
  splits: TrainingSplits<E>,
  c: { batchSize: number; seed: number },
  run: (batch: readonly E[]) => BatchOutput,
  tokensPerStep?: (batch: E[]) => number,
): Objective<E[]> {
  return {
    trainable: policy.trainable,
    batch: (step) => batchIndices(step, c.batchSize, splits.train.length, c.seed).map((i) => splits.train[i]!),
    loss: (batch) => run(batch),
    evaluate: () => evaluateSplit(splits.validation, c.batchSize, run, "eval_"),
    save: (dir) => policy.save(dir),
    saveState: (dir) => policy.saveState(dir),
    tokensPerStep,
  };
}
