// DPO-family pairs trained by ONNX Runtime (OrtVjpTrainer): ORT computes each row's summed
// completion log-probs, the loss is objective.ts's pairLoss (the one tfjs definition, unchanged),
// and its gradient per row seeds ORT's backward pass and AdamW. Rows are every chosen completion
// then every rejected one, right-padded to the run's longest (one static [2·batchSize, seq] shape
// for the whole run; SFT's row layout, sft/ort-batch.ts). A short last batch is filled with rows of
// an empty completion mask that the loss never reads, so their seeds are 0. The ORT wiring is
// ./ort-seeded.ts's, shared with KTO and rankings.
import * as tf from "@tensorflow/tfjs-core";
import type { SequenceBatch } from "../onnx-train/vjp-trainer";
import { completionLengths } from "../policy/sequences";
import { sftLmBatch, sftStepLength } from "../sft/ort-batch";
import type { PreferenceConfig } from "./config";
import { pairRows, type PairExample } from "./examples";
import { chosenThenRejected, pairLoss } from "./objective";
import type { SeededRows } from "./ort-seeded";

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

/** Pairs' rows for withOrtSeeded (./ort-seeded.ts): pairLoss of every row's log-probs [2·batchSize] (the padding rows' are read by nothing). */
export function pairSeededRows(c: PreferenceConfig, o: { batchSize: number; seq: number; padId: number }): SeededRows<PairExample> {
  return {
    rows: 2 * o.batchSize,
    layout: (batch) => pairSequenceBatch(batch, o.batchSize, o.seq, o.padId),
    loss: (logps, batch) => {
      const rows = chosenThenRejected(batch);
      return pairLoss(tf.slice(logps, 0, rows.length), completionLengths(rows), batch, c);
    },
  };
}
