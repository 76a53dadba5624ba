// KTO trained by ONNX Runtime: ORT computes each row's summed completion log-probs, the loss is
// kto-objective.ts's ktoLossOfLogps (the one tfjs definition, unchanged: z_ref from the
// mismatched rows, detached). Rows are every example's completion then every example's mismatched
// one, right-padded to the run's longest (one static [2·batchSize, seq] shape for the whole run;
// SFT's row layout, sft/ort-batch.ts). A short last batch is filled with rows of an empty
// completion mask that the loss never reads; the mismatched rows are read only as constants, so
// both get seeds of exactly 0.
import type { SequenceBatch } from "../onnx-train/vjp-trainer";
import { sftLmBatch, sftStepLength } from "../sft/ort-batch";
import type { KtoConfig } from "./config";
import { completionsThenMismatched, ktoLossOfLogps, ktoRows, type KtoTrainingExample } from "./kto-objective";
import type { SeededRows } from "./ort-seeded";

/** The step length a run's KTO examples need: its longest prompt + completion (either kind), less the last token. */
export function ktoStepLength(examples: readonly KtoTrainingExample[]): number {
  return sftStepLength(ktoRows(examples));
}

/** A batch of (at most `batchSize`) examples as the step graph's [2·batchSize, seq] rows. */
export function ktoSequenceBatch(batch: readonly KtoTrainingExample[], batchSize: number, seq: number, padId: number): SequenceBatch {
  if (batch.length > batchSize) throw new Error(`${batch.length} KTO examples do not fit a step of ${batchSize}`);
  const { inputs, targets, mask } = sftLmBatch(completionsThenMismatched(batch), 2 * batchSize, seq, padId);
  return { inputs, targets, mask };
}

/** KTO's rows for withOrtSeeded (./ort-seeded.ts). */
export function ktoSeededRows(c: KtoConfig, o: { batchSize: number; seq: number; padId: number }): SeededRows<KtoTrainingExample> {
  return {
    rows: 2 * o.batchSize,
    layout: (batch) => ktoSequenceBatch(batch, o.batchSize, o.seq, o.padId),
    loss: (logps, batch) => ktoLossOfLogps(logps, batch, c),
  };
}
