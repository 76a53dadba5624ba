import { describe, expect, it } from "vitest";
import { rewardUncertainty } from "./queue-uncertainty";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe("reward-model uncertainty of a task", () => {
  it("is ½ for a pair the model scores the same, ½ − |σ(r_a − r_b) − ½| otherwise, whichever side is better", () => {
    expect(rewardUncertainty([0.7, 0.7])).toBe(0.5);
    expect(rewardUncertainty([1, 0])).toBeCloseTo(1 - sigmoid(1), 12); // 0.268941…
    expect(rewardUncertainty([1, 0])).toBeCloseTo(0.2689414213699951, 12);
    expect(rewardUncertainty([0, 1])).toBe(rewardUncertainty([1, 0]));
    expect(rewardUncertainty([10, -10])).toBeCloseTo(1 - sigmoid(20), 12);
  });

  it("takes a ranking's least certain pair", () => {
    expect(rewardUncertainty([3, 0, 2.9])).toBeCloseTo(0.5 - Math.abs(sigmoid(0.1) - 0.5), 12);
    expect(rewardUncertainty([3, 0, 2.9])).toBeGreaterThan(rewardUncertainty([3, 0]));
  });

  it("says nothing (0) without a pair or with rewards that are not numbers", () => {
    expect(rewardUncertainty([2])).toBe(0);
    expect(rewardUncertainty([NaN, 1])).toBe(0);
    expect(rewardUncertainty([NaN, 1, 1])).toBe(0.5); // the finite pair still counts
  });
});
