// What a policy objective computes for a batch (its loss and logged metrics), and the same
// computation over a held-out split without gradients, for validation and test metrics.
import * as tf from "@tensorflow/tfjs-core";

export interface BatchOutput {
  loss: tf.Scalar;
  metrics: Record<string, number>;
}

/** Mean loss and metrics over a split, in batches without gradients; names prefixed ("eval_", "test_"). */
export function evaluateSplit<E>(examples: readonly E[], batchSize: number, run: (batch: readonly E[]) => BatchOutput, prefix: string): Record<string, number> {
  const sums: Record<string, number> = {};
  for (let start = 0; start < examples.length; start += batchSize) {
    const batch = examples.slice(start, start + batchSize);
    const { loss, metrics } = tf.tidy(() => {
      const out = run(batch);
      return { loss: out.loss.dataSync()[0]!, metrics: out.metrics };
    });
    for (const [name, v] of Object.entries({ loss, ...metrics })) sums[name] = (sums[name] ?? 0) + v * batch.length;
  }
  return Object.fromEntries(Object.entries(sums).map(([name, v]) => [`${prefix}${name}`, v / Math.max(1, examples.length)]));
}

