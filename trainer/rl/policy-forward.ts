// One forward pass of the policy over prompt + response rows, giving what the RL update needs
// per response token, laid out as [rows, seq-1] (target position t predicts ids[t+1]): the
// sampled token's log-prob, the value head's estimate of the state before it, and (for PPO, the
// only loss that reads it) the entropy of the distribution there. Zero outside responses (the
// completion mask). The same ForwardOut comes from ONNX Runtime (./ort-policy.ts): per-token
// entropy, never the vocabulary-sized logits, so both engines feed the one loss code.
import * as tf from "@tensorflow/tfjs-core";
import type { Graph } from "../graph/ir";
import { executeGraph } from "../graph/tfjs-exec";
import { logprobBatchFromIds, type IdRow, type LogprobBatch } from "../logprobs";
import { tokenLogprobs } from "../losses";
import { buildModelGraph, hiddenSize, type ModelConfig } from "../models/model-config";
import type { TrainablePolicy } from "../policy/trainable-policy";
import { tokenEntropy } from "./losses";

export interface ValueHead {
  /** [hidden, 1]: the value of a state is a linear function of its last hidden state. */
  weight: tf.Variable;
  bias: tf.Variable;
}

export function createValueHead(config: ModelConfig): ValueHead {
  // Zero init: the first advantages are the (whitened) rewards themselves, not noise.
  return { weight: tf.variable(tf.zeros([hiddenSize(config), 1]), true), bias: tf.variable(tf.zeros([1]), true) };
}

export interface ForwardOut {
  logp: tf.Tensor2D; // [rows, seq-1]
  values: tf.Tensor2D; // [rows, seq-1]
  /** Per-token entropy, masked; zeros when not asked for (only PPO reads it). */
  entropy: tf.Tensor2D; // [rows, seq-1]
  mask: tf.Tensor2D; // [rows, seq-1] float, 1 on response tokens
}

/** The policy graph with its last hidden state exposed (built once per run). */
export function valueGraph(config: ModelConfig): Graph {
  return buildModelGraph(config, { hiddenState: true });
}

export function batchOf(rows: readonly IdRow[], padId: number): LogprobBatch {
  return logprobBatchFromIds(rows, padId);
}

/** Differentiable in the policy's params and the value head (call inside a tape or a tidy); the entropy only `withEntropy`. */
export function policyForward(policy: TrainablePolicy, graph: Graph, head: ValueHead, batch: LogprobBatch, withEntropy = false): ForwardOut {
  const [rows, seq] = [batch.ids.length, batch.ids[0]!.length];
  const ids = tf.tensor2d(batch.ids, [rows, seq], "int32");
  const out = executeGraph(graph, {
    ...policy.params(),
    input_ids: ids,
    attention_mask: tf.tensor2d(batch.attention, [rows, seq], "int32"),
    position_ids: tf.tile(tf.reshape(tf.range(0, seq, 1, "int32"), [1, seq]), [rows, 1]),
  }, ["logits", "last_hidden_state"]);
  const logits = tf.slice(out.logits!, [0, 0, 0], [rows, seq - 1, -1]); // [rows, seq-1, vocab]
  const hidden = tf.slice(out.last_hidden_state!, [0, 0, 0], [rows, seq - 1, -1]); // [rows, seq-1, e]
  const mask = tf.tensor2d(batch.completionMask, [rows, seq - 1]);
  const logp = tf.mul(tokenLogprobs(logits, tf.slice(ids, [0, 1], [rows, seq - 1])), mask) as tf.Tensor2D;
  const e = hidden.shape[2]!;
  const values = tf.mul(tf.reshape(tf.add(tf.matMul(tf.reshape(hidden, [-1, e]), head.weight), head.bias), [rows, seq - 1]), mask) as tf.Tensor2D;
  const entropy = (withEntropy ? tf.mul(tokenEntropy(logits), mask) : tf.zerosLike(mask)) as tf.Tensor2D;
  return { logp, values, entropy, mask };
}

/** Per-response-token values of a [rows, seq-1] layout, row by row (the response's own order). */
export function responseValues(layout: number[][], batch: LogprobBatch): number[][] {
  return layout.map((row, r) => row.filter((_, t) => batch.completionMask[r]![t] === 1));
}

/** The inverse: per-response-token arrays placed into the [rows, seq-1] layout (zeros elsewhere). */
export function toLayout(perToken: readonly number[][], batch: LogprobBatch): number[][] {
  return batch.completionMask.map((maskRow, r) => {
    let j = 0;
    return maskRow.map((m) => (m === 1 ? perToken[r]![j++] ?? 0 : 0));
  });
}
