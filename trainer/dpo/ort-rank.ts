// Rankings (lossType listwise) trained by ONNX Runtime: ORT computes each row's summed completion
// log-probs, the loss is objective.ts's listLoss (the one tfjs Plackett-Luce definition,
// unchanged). The step graph has one static [batchSize·width, seq] shape for the whole run, width
// being the run's longest ranking and seq its longest prompt + completion (SFT's row layout,
// sft/ort-batch.ts): list b's k-th completion is row b·width + k. The entries a shorter list lacks
// and the lists a short last batch lacks are rows of an empty completion mask; listLoss reads only
// the batch's own lists up to its own widest, and masks a list's missing entries out, so their
// seeds are 0. The ORT wiring is ./ort-seeded.ts's, shared with pairs and KTO.
import * as tf from "@tensorflow/tfjs-core";
import type { SequenceBatch } from "../onnx-train/vjp-trainer";
import type { TokenizedCompletion } from "../policy/sequences";
import { sftLmBatch, sftStepLength } from "../sft/ort-batch";
import type { PreferenceConfig } from "./config";
import { listRows, type ListExample } from "./examples";
import { listLoss, listWidth } from "./objective";
import type { SeededRows } from "./ort-seeded";

/** A row whose mask is empty: a padding entry, never read by the loss. */
const EMPTY_ROW: TokenizedCompletion = { promptIds: [], completionIds: [] };

/** The step length a run's rankings need: its longest prompt + completion, less the last token. */
export function rankStepLength(lists: readonly ListExample[]): number {
  return sftStepLength(listRows(lists));
}

/** The step shape of a run's rankings: its longest list and its step length. */
export function rankStepShape(lists: readonly ListExample[]): { width: number; seq: number } {
  return { width: listWidth(lists), seq: rankStepLength(lists) };
}

export interface RankRowsOptions {
  batchSize: number;
  /** The run's longest ranking: every list is padded to it. */
  width: number;
  seq: number;
  padId: number;
}

/** A batch of (at most `batchSize`) rankings as the step graph's [batchSize·width, seq] rows. */
export function rankSequenceBatch(batch: readonly ListExample[], o: RankRowsOptions): SequenceBatch {
  if (batch.length > o.batchSize) throw new Error(`${batch.length} rankings do not fit a step of ${o.batchSize}`);
  const rows = Array.from({ length: o.batchSize * o.width }, (_, r) => {
    const list = batch[Math.floor(r / o.width)];
    if (list && list.ranked.length > o.width) throw new Error(`a ranking of ${list.ranked.length} does not fit the step's ${o.width}`);
    return list?.ranked[r % o.width] ?? EMPTY_ROW;
  });
  const { inputs, targets, mask } = sftLmBatch(rows, rows.length, o.seq, o.padId);
  return { inputs, targets, mask };
}

/** listLoss of every row's log-probs [batchSize·width]: the batch's lists, cut to its own widest. */
const listLossOfRows = (c: PreferenceConfig, width: number) => (logps: tf.Tensor1D, batch: readonly ListExample[]) => {
  const lists = tf.reshape(logps, [-1, width]);
  return listLoss(tf.reshape(tf.slice(lists, [0, 0], [batch.length, listWidth(batch)]), [-1]) as tf.Tensor1D, batch, c);
};

/** Rankings' rows for withOrtSeeded (./ort-seeded.ts). */
export function rankSeededRows(c: PreferenceConfig, o: RankRowsOptions): SeededRows<ListExample> {
  return {
    rows: o.batchSize * o.width,
    layout: (batch) => rankSequenceBatch(batch, o),
    loss: listLossOfRows(c, o.width),
  };
}
