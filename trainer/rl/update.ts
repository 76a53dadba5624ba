// The update of one rollout batch: several epochs over shuffled minibatches, each one gradient
// step of the algorithm's loss with clipping and AdamW; epochs stop early once approx-KL passes
// targetKl. The loop is the same for both engines; only "one minibatch step" differs: tfjs
// (a forward of the policy and value head under tf.variableGrads, the AdamW class) here, or
// ONNX Runtime (./ort-policy.ts: the same loss on ORT's per-token outputs, seeds, ORT's backward).
import * as tf from "@tensorflow/tfjs-core";
import { createRng, shuffle } from "../../stats/random";
import type { Graph } from "../graph/ir";
import type { LogprobBatch } from "../logprobs";
import type { TrainablePolicy } from "../policy/trainable-policy";
import { paramGrads } from "../train/lm-step";
import type { AdamW } from "../train/optimizer";
import type { Algorithm, MinibatchTensors, Scored } from "./algorithms";
import type { RlConfig } from "./config";
import { batchOf, policyForward, toLayout, type ForwardOut, type ValueHead } from "./policy-forward";

export interface Updater {
  policy: TrainablePolicy;
  graph: Graph;
  head: ValueHead;
  /** What the optimizer updates: the policy's trainable variables, plus the value head for PPO. */
  variables: Record<string, tf.Variable>;
  optimizer: AdamW;
  algorithm: Algorithm;
  config: RlConfig;
}

/** One gradient step on a minibatch; its metrics (loss, grad_norm, clip fractions, approx-KL, ...). */
export type MinibatchStep = (samples: readonly Scored[], lr: number) => Promise<Record<string, number>>;

/** The minibatch's rollout values in `batch`'s [rows, seq-1] layout (one row per sample). */
export function minibatchTensors(samples: readonly Scored[], batch: LogprobBatch): MinibatchTensors {
  const layout = (pick: (s: Scored) => number[]) => tf.tensor2d(toLayout(samples.map(pick), batch), [samples.length, batch.completionMask[0]!.length]);
  return {
    oldLogp: layout((s) => s.oldLogp), refLogp: layout((s) => s.refLogp), oldValues: layout((s) => s.values),
    advantages: layout((s) => s.advantages), returns: layout((s) => s.returns),
    sequenceAdvantages: tf.tensor1d(samples.map((s) => s.sequenceAdvantage)),
  };
}

/**
 * The algorithm's loss of a forward, its metrics read into `metrics` at once (a tape disposes
 * every tensor of its closure but the loss), for either engine's differentiation.
 */
export function algorithmLoss(u: Pick<Updater, "algorithm" | "config">, out: ForwardOut, mb: MinibatchTensors, metrics: Record<string, number>): tf.Scalar {
  const result = u.algorithm.loss(out, mb, u.config);
  for (const [k, t] of Object.entries(result.metrics)) metrics[k] = t.dataSync()[0]!;
  return result.loss;
}

/** The tfjs minibatch step: tf.variableGrads over the policy (and head), the AdamW class. */
export function tfjsMinibatchStep(u: Updater): MinibatchStep {
  return async (samples, lr) => {
    const batch = batchOf(samples.map((s) => ({ promptIds: s.promptIds, completionIds: s.responseIds })), u.policy.padId);
    return tf.tidy(() => {
      const metrics: Record<string, number> = {};
      const { value, grads } = tf.variableGrads(() => algorithmLoss(u, policyForward(u.policy, u.graph, u.head, batch, u.algorithm.critic), minibatchTensors(samples, batch), metrics), Object.values(u.variables));
      const loss = value.dataSync()[0]!;
      if (!Number.isFinite(loss)) return { loss, grad_norm: Number.NaN, ...metrics }; // updateOnBatch stops the run before any update
      const gradNorm = u.optimizer.step(u.variables, paramGrads(u.variables, grads), lr);
      return { loss, grad_norm: gradNorm, ...metrics };
    });
  };
}

/** Epochs of minibatches over the batch (order seeded by the iteration); mean metrics. */
export async function updateOnBatch(step: MinibatchStep, c: Pick<RlConfig, "updateEpochs" | "miniBatchSize" | "targetKl">, scored: readonly Scored[], lr: number, seed: number): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  let count = 0;
  for (let epoch = 0; epoch < c.updateEpochs; epoch++) {
    const order = shuffle(createRng(seed * 131 + epoch), scored.map((_, i) => i));
    for (let start = 0; start < order.length; start += c.miniBatchSize) {
      const m = await step(order.slice(start, start + c.miniBatchSize).map((i) => scored[i]!), lr);
      if (!Number.isFinite(m.loss)) throw new Error(`the RL loss became ${m.loss} (learning rate ${lr.toExponential(2)}): training diverged; lower the learning rate`);
      for (const [k, v] of Object.entries(m)) sums[k] = (sums[k] ?? 0) + v;
      count++;
      if (c.targetKl !== null && (m["policy/approxkl"] ?? 0) > c.targetKl) return means(sums, count);
    }
  }
  return means(sums, count);
}

const means = (sums: Record<string, number>, n: number) => Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(1, n)]));
