import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { createRng, uniformInt } from "../../stats/random";
import { buildRewardBatch, type TokenizedPair } from "./batch";
import { initScoreWeight } from "./head";
import { splitByPrompt } from "./split";
import { pairRewards, rewardBatchLoss, type HiddenStates } from "./step";

const VOCAB = 40;
const EMBD = 8;
const PLANTED = 7; // token id of "the word X"

/**
 * Toy backbone: h_t = mean of the token embeddings up to t (a causal bag of words), by one-hot
 * products only. Enough to carry "X appeared" to the last token, as a transformer would.
 */
function toyBackbone(embedding: tf.Variable): HiddenStates {
  return ({ inputIds, attentionMask }) => {
    const [rows, seq] = inputIds.shape;
    const mask = tf.cast(attentionMask, "float32"); // [rows, seq]
    const embedded = tf.matMul(tf.reshape(tf.oneHot(inputIds, VOCAB).toFloat(), [rows * seq, VOCAB]), embedding); // [rows·seq, embd]
    const masked = tf.mul(tf.reshape(embedded, [rows, seq, EMBD]), tf.expandDims(mask, 2));
    // Prefix sums as a product with a lower-triangular ones matrix (tfjs's cumsum gradient is
    // wrong on a non-last axis).
    const lower = tf.tile(tf.expandDims(tf.linalg.bandPart(tf.ones([seq, seq]), -1, 0), 0), [rows, 1, 1]); // [rows, seq, seq]
    const sums = tf.matMul(lower, masked); // [rows, seq, embd]
    const counts = tf.maximum(tf.matMul(lower, tf.expandDims(mask, 2)), 1); // [rows, seq, 1]
    return tf.div(sums, counts) as tf.Tensor3D;
  };
}

/** Equal-length random answers after a shared prompt; the chosen one contains the planted token. */
function plantedPairs(count: number, seed: number): Array<TokenizedPair & { prompt: string }> {
  const rng = createRng(seed);
  const tokens = (n: number) => Array.from({ length: n }, () => 10 + uniformInt(rng, VOCAB - 10));
  return Array.from({ length: count }, (_, k) => {
    const prompt = tokens(4);
    const [a, b] = [tokens(6), tokens(6)];
    a[uniformInt(rng, a.length)] = PLANTED;
    return { prompt: prompt.join(","), chosen: [...prompt, ...a], rejected: [...prompt, ...b] };
  });
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("reward training step with a toy backbone", () => {
  it("learns a planted preference to > 95% held-out accuracy in 200 Adam steps", () => {
    const { train, validation } = splitByPrompt(plantedPairs(600, 1), (p) => p.prompt, { validationFraction: 0.2, seed: 3 });
    const rng = createRng(9);
    const embedding = tf.variable(tf.randomNormal([VOCAB, EMBD], 0, 0.3, "float32", 5));
    const score = tf.variable(initScoreWeight(EMBD, 2));
    const hidden = toyBackbone(embedding);
    const optimizer = tf.train.adam(0.05);
    for (let step = 0; step < 200; step++) {
      const batch = buildRewardBatch(Array.from({ length: 16 }, () => train[uniformInt(rng, train.length)]), { maxLength: 32, padId: 0, sequenceStart: [] });
      optimizer.minimize(() => rewardBatchLoss(hidden, score as unknown as tf.Tensor2D, batch, { centering: 0.01 }));
    }
    const { chosen, rejected } = pairRewards(hidden, score as unknown as tf.Tensor2D, buildRewardBatch(validation, { maxLength: 32, padId: 0, sequenceStart: [] }));
    const c = chosen.dataSync();
    const r = rejected.dataSync();
    const accuracy = Array.from(c).filter((v, i) => v > r[i]).length / c.length;
    expect(accuracy).toBeGreaterThan(0.95);
  });

  it("the batch loss is ln 2 when the head is zero (all rewards equal)", () => {
    const embedding = tf.variable(tf.randomNormal([VOCAB, EMBD], 0, 1, "float32", 1));
    const batch = buildRewardBatch(plantedPairs(5, 2), { maxLength: 32, padId: 0, sequenceStart: [] });
    const loss = rewardBatchLoss(toyBackbone(embedding), tf.zeros([1, EMBD]) as tf.Tensor2D, batch);
    expect(loss.dataSync()[0]).toBeCloseTo(Math.LN2, 6);
  });
});
