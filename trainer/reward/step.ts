/**
 * One reward-model loss evaluation, backbone-agnostic: any function from the GPT-2 graph's inputs
 * to final hidden states plugs in (the tfjs GPT-2 graph's `last_hidden_state`, or a toy model in
 * tests). Batch arrays → tensors → hidden states → scalar head → pair rewards → loss.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { RewardBatchArrays } from "./batch";
import { rewardFromHidden } from "./head";
import { rewardLoss, type RewardLossConfig } from "./losses";

export interface BackboneInputs {
  inputIds: tf.Tensor2D; // [rows, seq] int32
  attentionMask: tf.Tensor2D; // [rows, seq] int32
  positionIds: tf.Tensor2D; // [rows, seq] int32
}

/** The backbone: inputs → final hidden states [rows, seq, embd]. */
export type HiddenStates = (inputs: BackboneInputs) => tf.Tensor3D;

export function backboneInputs(batch: RewardBatchArrays): BackboneInputs {
  const shape: [number, number] = [batch.rows, batch.seq];
  return {
    inputIds: tf.tensor2d(batch.inputIds, shape, "int32"),
    attentionMask: tf.tensor2d(batch.attentionMask, shape, "int32"),
    positionIds: tf.tensor2d(batch.positionIds, shape, "int32"),
  };
}

/** Rewards of the batch's chosen and rejected sequences, [pairs] each. */
export function pairRewards(hiddenStates: HiddenStates, scoreWeight: tf.Tensor2D, batch: RewardBatchArrays) {
  return tf.tidy(() => {
    const inputs = backboneInputs(batch);
    const rewards = rewardFromHidden(hiddenStates(inputs), inputs.attentionMask, scoreWeight); // [2·pairs]
    const [chosen, rejected] = tf.split(rewards, 2) as [tf.Tensor1D, tf.Tensor1D]; // chosen rows come first
    return { chosen, rejected };
  });
}

/** The configured reward loss of one batch (differentiable in the backbone and the head). */
export function rewardBatchLoss(
  hiddenStates: HiddenStates,
  scoreWeight: tf.Tensor2D,
  batch: RewardBatchArrays,
  config: Partial<RewardLossConfig> = {},
): tf.Scalar {
  return tf.tidy(() => {
    const { chosen, rejected } = pairRewards(hiddenStates, scoreWeight, batch);
    const extras = { margin: tf.tensor1d(batch.margin), weight: tf.tensor1d(batch.weight), tie: tf.tensor1d(batch.tie) };
    return rewardLoss({ chosen, rejected, ...extras }, config);
  });
}
