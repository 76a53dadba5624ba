import { describe, expect, it } from "vitest";
import { bootstrapCounts, percentileIntervals, quantileSorted } from "./bootstrap";
import { binomial, logFactorial, multinomial } from "./bootstrap-sampling";
import { createRng } from "./random";

/** Exact Binomial(n, p) probabilities by the naive recurrence. */
function binomialPmf(n: number, p: number): number[] {
  const pmf = [Math.pow(1 - p, n)];
  for (let k = 1; k <= n; k++) pmf.push((pmf[k - 1] * (n - k + 1) * p) / (k * (1 - p)));
  return pmf;
}

/** Chi-square of draws against the pmf, pooling cells with expected count < 5 into their neighbour. */
function chiSquare(draws: number[], pmf: number[]): { stat: number; dof: number } {
  const observed = new Array(pmf.length).fill(0);
  for (const x of draws) observed[x]++;
  let stat = 0;
  let cells = 0;
  let pooledObs = 0;
  let pooledExp = 0;
  for (let k = 0; k < pmf.length; k++) {
    pooledObs += observed[k];
    pooledExp += pmf[k] * draws.length;
    if (pooledExp >= 5) {
      stat += (pooledObs - pooledExp) ** 2 / pooledExp;
      cells++;
      pooledObs = 0;
      pooledExp = 0;
    }
  }
  return { stat, dof: cells - 1 };
}

describe("logFactorial", () => {
  it("matches the sum of logs on both sides of the table boundary", () => {
    let direct = 0;
    for (let k = 1; k <= 1000; k++) {
      direct += Math.log(k);
      if (k === 10 || k === 255 || k === 256 || k === 1000) expect(logFactorial(k)).toBeCloseTo(direct, 9);
    }
    expect(logFactorial(0)).toBe(0);
  });
});

describe("binomial", () => {
  // (n, p) pairs exercising inversion (n·p < 10), BTRS (n·p >= 10) and the p > 1/2 reflection.
  const cases: Array<[number, number]> = [[20, 0.1], [50, 0.3], [400, 0.05], [1000, 0.5], [300, 0.9]];
  it.each(cases)("Binomial(%i, %f) matches the exact pmf by chi-square", (n, p) => {
    const rng = createRng(n * 7 + Math.round(p * 100));
    const draws = Array.from({ length: 40_000 }, () => binomial(rng, n, p));
    const { stat, dof } = chiSquare(draws, binomialPmf(n, p));
    // 99.9% point of chi-square is below dof + 3.3·sqrt(2·dof) + 10 for these dof.
    expect(stat).toBeLessThan(dof + 3.3 * Math.sqrt(2 * dof) + 10);
  });

  it("has mean n·p and variance n·p·(1-p) for a million trials", () => {
    const rng = createRng(9);
    const n = 1_000_000;
    const p = 0.013;
    const draws = Array.from({ length: 20_000 }, () => binomial(rng, n, p));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
    expect(Math.abs(mean - n * p)).toBeLessThan(5 * Math.sqrt((n * p * (1 - p)) / draws.length));
    expect(variance / (n * p * (1 - p))).toBeGreaterThan(0.95);
    expect(variance / (n * p * (1 - p))).toBeLessThan(1.05);
  });

  it("returns the edge values for p = 0, p = 1 and n = 0", () => {
    const rng = createRng(1);
    expect(binomial(rng, 10, 0)).toBe(0);
    expect(binomial(rng, 10, 1)).toBe(10);
    expect(binomial(rng, 0, 0.5)).toBe(0);
  });
});

describe("multinomial", () => {
  it("keeps the total, leaves zero-weight cells empty, and has mean n·w_k/W per cell", () => {
    const rng = createRng(2);
    const weights = [5, 0, 1, 3, 1];
    const out = new Float64Array(weights.length);
    const sums = new Float64Array(weights.length);
    const trials = 5000;
    let badTotals = 0;
    for (let t = 0; t < trials; t++) {
      multinomial(rng, 100, weights, out);
      if (out.reduce((a, b) => a + b, 0) !== 100) badTotals++;
      out.forEach((x, k) => (sums[k] += x));
    }
    expect(badTotals).toBe(0);
    expect(sums[1]).toBe(0);
    const expected = weights.map((w) => (100 * w) / 10);
    sums.forEach((s, k) => expect(s / trials).toBeCloseTo(expected[k], 0));
  });
});

describe("bootstrap over counts", () => {
  it("the bootstrap standard error of a proportion matches sqrt(p(1-p)/n)", () => {
    const counts = [300, 700]; // 300 successes of 1000
    const results = bootstrapCounts(counts, (c) => [c[0] / 1000], { resamples: 2000, seed: 4 });
    const xs = results.map((r) => r[0]);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(sd / Math.sqrt((0.3 * 0.7) / 1000)).toBeGreaterThan(0.92);
    expect(sd / Math.sqrt((0.3 * 0.7) / 1000)).toBeLessThan(1.08);
    const { low, high } = percentileIntervals(results);
    expect(low[0]).toBeGreaterThan(0.3 - 2.2 * 0.0145);
    expect(low[0]).toBeLessThan(0.3 - 1.7 * 0.0145);
    expect(high[0]).toBeGreaterThan(0.3 + 1.7 * 0.0145);
  });

  it("quantileSorted interpolates like R's type 7", () => {
    const xs = [1, 2, 3, 4, 10];
    expect(quantileSorted(xs, 0)).toBe(1);
    expect(quantileSorted(xs, 1)).toBe(10);
    expect(quantileSorted(xs, 0.5)).toBe(3);
    expect(quantileSorted(xs, 0.9)).toBeCloseTo(7.6, 12); // 4 + 0.6 * (10 - 4)
  });
});
