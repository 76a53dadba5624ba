/**
 * Scoring many sequences with a neural reward model, no gradients: sequences sorted by length
 * (little padding per batch), batched, scored, put back in input order. Used by validation during
 * training and by `preflab reward score`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { buildRewardBatch, type RewardBatchOptions } from "./batch";
import { rewardFromHidden, SCORE_WEIGHT } from "./head";
import { backboneInputs } from "./step";
import { hiddenStatesOf, type NeuralRewardModel } from "./train-neural-model";
import { contextLength } from "../models/model-config";

export interface ScoreOptions {
  /** Tokens kept per sequence (its end); at most the model's context. */
  maxLength: number;
  /** Sequences per forward pass. */
  batchRows: number;
}

/**
 * Packs rows as the pair batch does (chosen rows, then rejected rows): pairing the first half of
 * the list with the second half lays the sequences out in their own order.
 */
function rowsBatch(sequences: number[][], options: RewardBatchOptions) {
  const rows = sequences.length % 2 === 0 ? sequences : [...sequences, sequences[sequences.length - 1]!];
  const half = rows.length / 2;
  return buildRewardBatch(rows.slice(0, half).map((chosen, k) => ({ chosen, rejected: rows[half + k]! })), options);
}

/** Reward of every token sequence, [sequences]. */
export function scoreSequences(model: NeuralRewardModel, sequences: number[][], options: ScoreOptions): Float32Array {
  const out = new Float32Array(sequences.length);
  const order = sequences.map((_, i) => i).sort((a, b) => sequences[a]!.length - sequences[b]!.length);
  const hidden = hiddenStatesOf(model);
  const maxLength = Math.min(options.maxLength, contextLength(model.config));
  for (let start = 0; start < order.length; start += options.batchRows) {
    const chunk = order.slice(start, start + options.batchRows);
    const batch = rowsBatch(chunk.map((i) => sequences[i]!), { maxLength, padId: model.tokenizer.eosId, sequenceStart: model.tokenizer.sequenceStart });
    const rewards = tf.tidy(() => {
      const inputs = backboneInputs(batch);
      return rewardFromHidden(hidden(inputs), inputs.attentionMask, model.variables[SCORE_WEIGHT] as tf.Tensor2D).dataSync();
    }); // [rows]
    chunk.forEach((i, k) => (out[i] = rewards[k]!));
  }
  return out;
}
