import { describe, expect, it } from "vitest";
import { createRng } from "../../stats/random";
import { gae, groupAdvantages, leaveOneOutAdvantages, shapedRewards, whiten } from "./advantages";

const expectAllClose = (actual: number[], expected: number[], tol = 1e-12) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!), `index ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tol));
};

describe("shapedRewards", () => {
  it("pays −β·KL at every token and adds the score at the last one", () => {
    // β = 0.5, KL = (0.1, −0.2, 0.3): −0.05, 0.1, −0.15 + 2
    expectAllClose(shapedRewards(2, [0.1, -0.2, 0.3], 0.5), [-0.05, 0.1, 1.85]);
    expectAllClose(shapedRewards(-1, [0.4], 0.5), [-1.2]); // one token carries both
  });

  it("refuses an empty response, which has no token to carry the score", () => {
    expect(() => shapedRewards(1, [], 0.1)).toThrow(RangeError);
  });
});

describe("gae", () => {
  it("matches a 3-token case worked out by hand", () => {
    // r = (0.1, −0.2, 1), V = (0.5, 0.3, 0.4), γ = 0.9, λ = 0.8, γλ = 0.72, V after the end = 0:
    //   δ2 = 1 + 0.9·0 − 0.4 = 0.6           A2 = 0.6
    //   δ1 = −0.2 + 0.9·0.4 − 0.3 = −0.14    A1 = −0.14 + 0.72·0.6 = 0.292
    //   δ0 = 0.1 + 0.9·0.3 − 0.5 = −0.13     A0 = −0.13 + 0.72·0.292 = 0.08024
    // returns = A + V = (0.58024, 0.592, 1.0)
    const { advantages, returns } = gae([0.1, -0.2, 1], [0.5, 0.3, 0.4], 0.9, 0.8);
    expectAllClose(advantages, [0.08024, 0.292, 0.6]);
    expectAllClose(returns, [0.58024, 0.592, 1.0]);
  });

  it("is the one-step TD error at λ = 0 and the Monte-Carlo return minus V at γ = λ = 1", () => {
    const [r, v] = [[0.1, -0.2, 1], [0.5, 0.3, 0.4]];
    expectAllClose(gae(r, v, 0.9, 0).advantages, [-0.13, -0.14, 0.6]);
    const mc = gae(r, v, 1, 1);
    expectAllClose(mc.advantages, [0.9 - 0.5, 0.8 - 0.3, 1 - 0.4]);
    expectAllClose(mc.returns, [0.9, 0.8, 1]); // the undiscounted reward-to-go
  });

  it("matches the definition Σ_k (γλ)^k·δ_{t+k} on a long random response", () => {
    const rng = createRng(7);
    const [r, v] = [Array.from({ length: 40 }, () => rng() - 0.5), Array.from({ length: 40 }, () => 2 * rng())];
    const [gamma, lambda] = [0.99, 0.95];
    const delta = r.map((x, t) => x + gamma * (v[t + 1] ?? 0) - v[t]!);
    const naive = delta.map((_, t) => delta.slice(t).reduce((s, d, k) => s + (gamma * lambda) ** k * d, 0));
    expectAllClose(gae(r, v, gamma, lambda).advantages, naive, 1e-12);
  });

  it("refuses rewards and values of different lengths", () => {
    expect(() => gae([1, 2], [0], 1, 0.95)).toThrow(RangeError);
  });
});

describe("whiten", () => {
  it("whitens over all tokens of a ragged batch with the unbiased variance, by hand", () => {
    // tokens 1, 3, 5: mean 3, unbiased variance (4 + 0 + 4)/2 = 4, so (x − 3)/2 (up to the 1e-8)
    expectAllClose(whiten([[1, 3], [5]]).flat(), [-1, 0, 1], 1e-8);
    expect(whiten([[1, 3], [5]]).map((row) => row.length)).toEqual([2, 1]);
    expectAllClose(whiten([[1, 3], [5]], false).flat(), [2, 3, 4], 1e-8); // TRL's shift_mean=False keeps the mean
  });

  it("leaves mean 0 and unbiased variance 1 on random values", () => {
    const rng = createRng(11);
    const out = whiten([Array.from({ length: 7 }, () => 5 * rng()), Array.from({ length: 12 }, () => -3 * rng())]).flat();
    const mean = out.reduce((s, x) => s + x, 0) / out.length;
    expect(Math.abs(mean)).toBeLessThan(1e-12);
    expect(out.reduce((s, x) => s + (x - mean) ** 2, 0) / (out.length - 1)).toBeCloseTo(1, 6);
  });

  it("refuses fewer than two values (no unbiased variance), as TRL", () => {
    expect(() => whiten([[1], []])).toThrow(RangeError);
  });
});

describe("group advantages (GRPO)", () => {
  it("scores each sample against its own group: (r − mean)/(std + 1e-4), std unbiased", () => {
    // group (1, 2, 3): mean 2, std √((1 + 0 + 1)/2) = 1; group (4, 4, 4): std 0, so every advantage is 0
    expectAllClose(groupAdvantages([1, 2, 3, 4, 4, 4], 3), [-1 / 1.0001, 0, 1 / 1.0001, 0, 0, 0]);
    // group (0, 2): mean 1, std √2
    expectAllClose(groupAdvantages([0, 2], 2), [-1 / (Math.SQRT2 + 1e-4), 1 / (Math.SQRT2 + 1e-4)]);
  });

  it("refuses groups of one and batches that do not split into groups", () => {
    expect(() => groupAdvantages([1, 2, 3], 1)).toThrow(RangeError);
    expect(() => groupAdvantages([1, 2, 3], 2)).toThrow(RangeError);
  });
});

describe("leave-one-out advantages (RLOO)", () => {
  it("subtracts the mean of the other samples of the group, by hand", () => {
    // (1, 2, 6): 1 − (2 + 6)/2 = −3, 2 − (1 + 6)/2 = −1.5, 6 − (1 + 2)/2 = 4.5;
    // (0.5, −1, 4): 0.5 − 1.5, −1 − 2.25, 4 + 0.25; groups of two: a − b and b − a
    expectAllClose(leaveOneOutAdvantages([1, 2, 6, 0.5, -1, 4], 3), [-3, -1.5, 4.5, 0.5 - 1.5, -1 - 2.25, 4 + 0.25]);
    expectAllClose(leaveOneOutAdvantages([3, 5, -2, -2], 2), [-2, 2, 0, 0]);
  });

  it("is k/(k − 1) times the deviation from the group mean, so each group's advantages sum to 0", () => {
    const rng = createRng(3);
    const rewards = Array.from({ length: 20 }, () => rng() * 4 - 2);
    const loo = leaveOneOutAdvantages(rewards, 5);
    for (let g = 0; g < 4; g++) {
      const group = rewards.slice(5 * g, 5 * g + 5);
      const mean = group.reduce((s, r) => s + r, 0) / 5;
      expectAllClose(loo.slice(5 * g, 5 * g + 5), group.map((r) => (5 / 4) * (r - mean)), 1e-12);
    }
  });

  it("refuses groups of one", () => {
    expect(() => leaveOneOutAdvantages([1, 2], 1)).toThrow(RangeError);
  });
});
