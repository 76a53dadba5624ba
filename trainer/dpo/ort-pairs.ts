// DPO-family pairs trained by ONNX Runtime (OrtVjpTrainer): ORT computes each row's summed
// completion log-probs, the loss is objective.ts's pairLoss (the one tfjs definition, unchanged),
// and its gradient per row seeds ORT's backward pass and AdamW. Rows are every chosen completion
// then every rejected one, right-padded to the run's longest (one static [2·batchSize, seq] shape
// for the whole run; SFT's row layout, sft/ort-batch.ts). A short last batch is filled with rows of
// an empty completion mask that the loss never reads, so their seeds are 0. The ORT wiring is
// ./ort-seeded.ts's, shared with KTO.
import * as tf from "@tensorflow/tfjs-core";
import type { OrtVjpTrainer, SequenceBatch } from "../onnx-train/vjp-trainer";
import type { BatchOutput } from "../policy/batch-output";
import { completionLengths } from "../policy/sequences";
import { sftLmBatch, sftStepLength } from "../sft/ort-batch";
import type { TrainableModel } from "../train/lm-step";
import type { Objective } from "../train/loop";
import type { AdamWOptions } from "../train/optimizer";
import type { PreferenceConfig } from "./config";
import { pairRows, type PairExample } from "./examples";
import { chosenThenRejected, pairLoss } from "./objective";
import { seedLoss, withOrtSeeded } from "./ort-seeded";
import type { OrtEngineOptions } from "../onnx-train/vjp-trainer";

/** The step length a run's pairs need: its longest prompt + completion, less the last token. */
export function pairStepLength(pairs: readonly PairExample[]): number {
  return sftStepLength(pairRows(pairs));
}

/** A batch of (at most `batchSize`) pairs as the step graph's [2·batchSize, seq] rows. */
export function pairSequenceBatch(batch: readonly PairExample[], batchSize: number, seq: number, padId: number): SequenceBatch {
  if (batch.length > batchSize) throw new Error(`${batch.length} pairs do not fit a step of ${batchSize}`);
  const { inputs, targets, mask } = sftLmBatch(chosenThenRejected(batch), 2 * batchSize, seq, padId);
  return { inputs, targets, mask };
}

/** pairLoss of every row's log-probs [2·batchSize] (the padding rows' are read by nothing). */
const pairLossOfRows = (c: PreferenceConfig) => (logps: tf.Tensor1D, batch: readonly PairExample[]): BatchOutput => {
  const rows = chosenThenRejected(batch);
  return pairLoss(tf.slice(logps, 0, rows.length), completionLengths(rows), batch, c);
};

/** pairLoss for tf.valueAndGrad; `last()` gives the metrics of the latest call. */
export function pairSeedLoss(batch: readonly PairExample[], c: PreferenceConfig): ReturnType<typeof seedLoss> {
  return seedLoss(pairLossOfRows(c), batch);
}

export interface OrtPairsOptions extends OrtEngineOptions {
  model: TrainableModel;
  padId: number;
  adamw: AdamWOptions;
  batchSize: number;
  seq: number;
}

/** `base` (pairObjective) trained by ONNX Runtime; release the returned trainer when the run ends. */
export async function withOrtPairs(base: Objective<PairExample[]>, c: PreferenceConfig, o: OrtPairsOptions): Promise<{ objective: Objective<PairExample[]>; trainer: OrtVjpTrainer }> {
  return withOrtSeeded(base, { rows: 2 * o.batchSize, layout: (batch) => pairSequenceBatch(batch, o.batchSize, o.seq, o.padId), loss: pairLossOfRows(c) }, o);
}
