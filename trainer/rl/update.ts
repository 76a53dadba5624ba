// The update of one rollout batch: several epochs over shuffled minibatches, each one forward of
// the policy (and value head) under tf.variableGrads, the algorithm's loss, one AdamW step with
// gradient clipping; epochs stop early once approx-KL passes targetKl.
import * as tf from "@tensorflow/tfjs-core";
import { createRng, shuffle } from "../../stats/random";
import type { Graph } from "../graph/ir";
import type { TrainablePolicy } from "../policy/trainable-policy";
import { paramGrads } from "../train/lm-step";
import type { AdamW } from "../train/optimizer";
import type { Algorithm, MinibatchTensors, Scored } from "./algorithms";
import type { RlConfig } from "./config";
import { batchOf, policyForward, toLayout, type ValueHead } from "./policy-forward";

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

function minibatchTensors(samples: readonly Scored[], batch: ReturnType<typeof batchOf>): MinibatchTensors {
  const layout = (pick: (s: Scored) => number[]) => tf.tensor2d(toLayout(samples.map(pick), batch));
  return {
    oldLogp: layout((s) => s.oldLogp), refLogp: layout((s) => s.refLogp), oldValues: layout((s) => s.values),
    advantages: layout((s) => s.advantages), returns: layout((s) => s.returns),
    sequenceAdvantages: tf.tensor1d(samples.map((s) => s.sequenceAdvantage)),
  };
}

/** One gradient step on a minibatch; returns its metrics (loss, clip fractions, approx-KL, ...). */
function minibatchStep(u: Updater, samples: readonly Scored[], lr: number): Record<string, number> {
  const batch = batchOf(samples.map((s) => ({ promptIds: s.promptIds, completionIds: s.responseIds })), u.policy.padId);
  return tf.tidy(() => {
    let metrics: Record<string, number> = {};
    const { value, grads } = tf.variableGrads(() => {
      const out = policyForward(u.policy, u.graph, u.head, batch);
      const result = u.algorithm.loss(out, minibatchTensors(samples, batch), u.config);
      // Read now: variableGrads disposes every tensor of the closure but the loss.
      metrics = Object.fromEntries(Object.entries(result.metrics).map(([k, t]) => [k, t.dataSync()[0]!]));
      return result.loss;
    }, Object.values(u.variables));
    const loss = value.dataSync()[0]!;
    if (!Number.isFinite(loss)) throw new Error(`the RL loss became ${loss} (learning rate ${lr.toExponential(2)}): training diverged; lower the learning rate`);
    const gradNorm = u.optimizer.step(u.variables, paramGrads(u.variables, grads), lr);
    return { loss, grad_norm: gradNorm, ...metrics };
  });
}

/** Epochs of minibatches over the batch (order seeded by the iteration); mean metrics. */
export function updateOnBatch(u: Updater, scored: readonly Scored[], lr: number, seed: number): Record<string, number> {
  const sums: Record<string, number> = {};
  let count = 0;
  for (let epoch = 0; epoch < u.config.updateEpochs; epoch++) {
    const order = shuffle(createRng(seed * 131 + epoch), scored.map((_, i) => i));
    for (let start = 0; start < order.length; start += u.config.miniBatchSize) {
      const m = minibatchStep(u, order.slice(start, start + u.config.miniBatchSize).map((i) => scored[i]!), lr);
      for (const [k, v] of Object.entries(m)) sums[k] = (sums[k] ?? 0) + v;
      count++;
      if (u.config.targetKl !== null && (m["policy/approxkl"] ?? 0) > u.config.targetKl) return means(sums, count);
    }
  }
  return means(sums, count);
}

const means = (sums: Record<string, number>, n: number) => Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(1, n)]));
