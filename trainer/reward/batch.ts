/**
 * Token batches for the neural reward model, independent of the backbone: every pair becomes two
 * rows (chosen rows first, then rejected rows, so rewards split as r[:B], r[B:]), right-padded,
 * with the attention mask and position ids the GPT-2 graph takes. A sequence longer than
 * `maxLength` keeps its *last* tokens: the answer being judged is at the end of the transcript
 * (after the tokenizer's sequence start, e.g. Llama 3's BOS, which stays first).
 */

import { keepPromptEnd } from "../tokenizer/sequence-start";

export interface TokenizedPair {
  chosen: number[]; // prompt + preferred answer (or, for a tie, the first answer)
  rejected: number[]; // prompt + the other answer
  weight?: number; // from the pair derivation; 1 if absent
  margin?: number; // from judgement strength; 0 if absent
  tie?: boolean;
}

export interface RewardBatchArrays {
  rows: number; // 2 · pairs
  seq: number; // longest kept sequence in the batch
  inputIds: Int32Array; // [rows, seq]
  attentionMask: Int32Array; // [rows, seq] 1 on real tokens
  positionIds: Int32Array; // [rows, seq] 0.. on real tokens, 0 on padding
  weight: Float32Array; // [pairs]
  margin: Float32Array; // [pairs]
  tie: Float32Array; // [pairs] 1 for a tie
}

export interface RewardBatchOptions {
  /** Longest sequence kept (the model's context or the config's maxLength). */
  maxLength: number;
  /** Id written into padding positions (masked out, so any valid id works). */
  padId: number;
  /** The ids the tokenizer starts every sequence with (Tokenizer.sequenceStart): kept when truncating. */
  sequenceStart: number[];
}

export function buildRewardBatch(pairs: readonly TokenizedPair[], options: RewardBatchOptions): RewardBatchArrays {
  const sequences = [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)].map((ids) =>
    keepPromptEnd(options, ids, options.maxLength),
  );
  if (sequences.some((ids) => ids.length === 0)) throw new Error("reward batch: an empty token sequence has no last token to score");
  const rows = sequences.length;
  const seq = Math.max(0, ...sequences.map((ids) => ids.length));
  const inputIds = new Int32Array(rows * seq).fill(options.padId);
  const attentionMask = new Int32Array(rows * seq);
  const positionIds = new Int32Array(rows * seq);
  sequences.forEach((ids, row) => {
    ids.forEach((id, t) => {
      inputIds[row * seq + t] = id;
      attentionMask[row * seq + t] = 1;
      positionIds[row * seq + t] = t;
    });
  });
  return {
    rows,
    seq,
    inputIds,
    attentionMask,
    positionIds,
    weight: Float32Array.from(pairs, (p) => p.weight ?? 1),
    margin: Float32Array.from(pairs, (p) => p.margin ?? 0),
    tie: Float32Array.from(pairs, (p) => (p.tie ? 1 : 0)),
  };
}
