import { describe, expect, it } from "vitest";
import { makeRng } from "../rng";
import { argmax, filteredDistribution, sampleToken } from "./sampling";

// Probabilities 0.1, 0.4, 0.2, 0.3 for tokens 0..3 (log-space logits, shifted to show shift-invariance).
const row = Float32Array.from([0.1, 0.4, 0.2, 0.3].map((p) => Math.log(p) + 5));

describe("sampling", () => {
  it("temperature 1 without filters keeps the model's distribution", () => {
    const { ids, probs } = filteredDistribution(row, { temperature: 1 });
    ids.forEach((id, i) => expect(probs[i]).toBeCloseTo([0.1, 0.4, 0.2, 0.3][id], 6));
  });

  it("top-k keeps the k most likely tokens, renormalized", () => {
    const { ids, probs } = filteredDistribution(row, { temperature: 1, topK: 3 });
    expect(ids).toEqual([1, 3, 2]);
    probs.forEach((p, i) => expect(p).toBeCloseTo([4 / 9, 3 / 9, 2 / 9][i], 6));
  });

  it("top-p keeps the smallest most-likely set reaching p", () => {
    const { ids, probs } = filteredDistribution(row, { temperature: 1, topP: 0.6 });
    expect(ids).toEqual([1, 3]); // 0.4 < 0.6 ≤ 0.4 + 0.3
    probs.forEach((p, i) => expect(p).toBeCloseTo([4 / 7, 3 / 7][i], 6));
    expect(filteredDistribution(row, { temperature: 1, topP: 0.01 }).ids).toEqual([1]);
  });

  it("temperature 2 takes square roots of the probabilities before renormalizing", () => {
    const { ids, probs } = filteredDistribution(row, { temperature: 2 });
    const roots = [0.1, 0.4, 0.2, 0.3].map(Math.sqrt);
    const total = roots.reduce((a, b) => a + b, 0);
    ids.forEach((id, i) => expect(probs[i]).toBeCloseTo(roots[id] / total, 6));
  });

  it("temperature 0 is argmax; seeded draws follow the filtered distribution", () => {
    expect(sampleToken(row, { temperature: 0 }, makeRng(1))).toBe(1);
    expect(argmax([3, 9, 9, 1])).toBe(1);
    const rng = makeRng(42);
    const counts = [0, 0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[sampleToken(row, { temperature: 1, topK: 3 }, rng)]++;
    expect(counts[0]).toBe(0);
    [0, 4 / 9, 2 / 9, 3 / 9].forEach((p, id) => expect(Math.abs(counts[id] / n - p)).toBeLessThan(0.015));
  });
});
