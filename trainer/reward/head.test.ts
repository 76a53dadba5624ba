import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { createRng } from "../../stats/random";
import { initScoreWeight, lastTokenIndex, rewardFromHidden } from "./head";

const [batch, seq, embd] = [3, 5, 4];
// Row 0 right-padded, row 1 left-padded, row 2 full.
const mask = [
  [1, 1, 1, 0, 0],
  [0, 0, 1, 1, 1],
  [1, 1, 1, 1, 1],
];
const rng = createRng(3);
const hidden = Array.from({ length: batch }, () => Array.from({ length: seq }, () => Array.from({ length: embd }, () => rng() - 0.5)));
const weight = Array.from({ length: embd }, () => rng() - 0.5);

/** The last index with mask 1, and the reward there, by plain loops. */
function naiveRewards(): number[] {
  return mask.map((row, b) => {
    const last = row.lastIndexOf(1);
    return hidden[b][last].reduce((s, h, e) => s + h * weight[e], 0);
  });
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("reward head", () => {
  it("finds the last non-padding token for left and right padding", () => {
    expect(Array.from(lastTokenIndex(tf.tensor2d(mask, undefined, "int32")).dataSync())).toEqual([2, 4, 4]);
  });

  it("scores the last token's hidden state like the naive loop", () => {
    const r = rewardFromHidden(tf.tensor3d(hidden), tf.tensor2d(mask), tf.tensor2d([weight]));
    expect(r.shape).toEqual([batch]);
    Array.from(r.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(naiveRewards()[i], 6));
  });

  it("sends gradient only to the last token's hidden state, equal to the head weight", () => {
    const grad = tf.grad((h: tf.Tensor) => tf.sum(rewardFromHidden(h as tf.Tensor3D, tf.tensor2d(mask), tf.tensor2d([weight]))));
    const g = grad(tf.tensor3d(hidden)).arraySync() as number[][][];
    mask.forEach((row, b) => {
      const last = row.lastIndexOf(1);
      for (let t = 0; t < seq; t++) g[b][t].forEach((v, e) => expect(v).toBeCloseTo(t === last ? weight[e] : 0, 6));
    });
  });

  it("initialises the head with variance 1/n_embd, reproducibly", () => {
    const w = initScoreWeight(4096, 7);
    expect(w.shape).toEqual([1, 4096]);
    const values = Array.from(w.dataSync());
    const variance = values.reduce((s, v) => s + v * v, 0) / values.length;
    expect(variance * 4096).toBeGreaterThan(0.9);
    expect(variance * 4096).toBeLessThan(1.1);
    expect(Array.from(initScoreWeight(4096, 7).dataSync())).toEqual(values);
  });
});
