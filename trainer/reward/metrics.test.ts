import { describe, expect, it } from "vitest";
import { createRng } from "../../stats/random";
import { expectedCalibrationError, rewardMetrics, rewardMoments } from "./metrics";

const softplus = (x: number) => Math.log(1 + Math.exp(x));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** ECE the long way: list both orders of every pair, filter each bin, average. */
function naiveEce(d: number[], w: number[]): number {
  const entries = d.flatMap((x, i) => [
    { p: sigmoid(x), y: 1, w: w[i] / 2 },
    { p: 1 - sigmoid(x), y: 0, w: w[i] / 2 },
  ]);
  const total = entries.reduce((s, e) => s + e.w, 0);
  let ece = 0;
  for (let b = 0; b < 10; b++) {
    const inBin = entries.filter((e) => (b === 9 ? e.p >= 0.9 : e.p >= b / 10 && e.p < (b + 1) / 10));
    const wb = inBin.reduce((s, e) => s + e.w, 0);
    if (wb === 0) continue;
    const meanP = inBin.reduce((s, e) => s + e.w * e.p, 0) / wb;
    const meanY = inBin.reduce((s, e) => s + e.w * e.y, 0) / wb;
    ece += (wb / total) * Math.abs(meanP - meanY);
  }
  return ece;
}

describe("rewardMetrics", () => {
  it("hand case: accuracy counts equal rewards as half, margin and loss are plain means", () => {
    const m = rewardMetrics({ chosen: [3, 0, 1], rejected: [1, 1, 1] });
    expect(m.pairs).toBe(3);
    expect(m.accuracy).toBeCloseTo(0.5, 12);
    expect(m.meanMargin).toBeCloseTo(1 / 3, 12);
    expect(m.loss).toBeCloseTo((softplus(-2) + softplus(1) + Math.LN2) / 3, 12);
  });

  it("weights every metric but the reward moments, and subtracts the margin in the loss", () => {
    const m = rewardMetrics({ chosen: [1, -1], rejected: [0, 0], weight: [3, 1], margin: [1, 0] });
    expect(m.accuracy).toBeCloseTo(0.75, 12);
    expect(m.meanMargin).toBeCloseTo((3 - 1) / 4, 12);
    expect(m.loss).toBeCloseTo((3 * Math.LN2 + softplus(1)) / 4, 12);
    expect(m.rewardMean).toBeCloseTo(0, 12);
  });

  it("has NaN metrics rather than fake zeros when there are no pairs", () => {
    expect(rewardMetrics({ chosen: [], rejected: [] }).accuracy).toBeNaN();
  });
});

describe("expectedCalibrationError", () => {
  const d75 = Math.log(3); // σ(d) = 0.75, safely inside bin [0.7, 0.8)

  it("is 0 when predictions of 0.75 are right 3 times in 4", () => {
    expect(expectedCalibrationError({ chosen: [d75, d75, d75, -d75], rejected: [0, 0, 0, 0] })).toBeCloseTo(0, 12);
  });

  it("is 0.25 when predictions of 0.75 are always right (underconfident)", () => {
    expect(expectedCalibrationError({ chosen: [d75, d75], rejected: [0, 0] })).toBeCloseTo(0.25, 12);
  });

  it("matches the naive binning on random weighted scores", () => {
    const rng = createRng(4);
    const d = Array.from({ length: 500 }, () => (rng() - 0.3) * 6);
    const w = Array.from({ length: 500 }, () => 0.1 + rng());
    expect(expectedCalibrationError({ chosen: d, rejected: d.map(() => 0), weight: w })).toBeCloseTo(naiveEce(d, w), 12);
  });
});

describe("rewardMoments", () => {
  it("is the mean and population std over chosen and rejected together", () => {
    const { mean, std } = rewardMoments({ chosen: [1, 2], rejected: [3, 4] });
    expect(mean).toBeCloseTo(2.5, 12);
    expect(std).toBeCloseTo(Math.sqrt(1.25), 12);
  });
});
