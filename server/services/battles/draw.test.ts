import { describe, expect, it } from "vitest";
import { createRng } from "../../../stats/random";
import { drawPair, pairKey, pairWeights } from "./draw";

describe("pairWeights", () => {
  it("weighs every unordered pair 1 when uniform, 1/(1+games) toward fewer games", () => {
    const games = new Map([[pairKey(2, 1), 3], [pairKey(1, 3), 0]]);
    expect(pairWeights([1, 2, 3], games, "uniform").map((p) => p.weight)).toEqual([1, 1, 1]);
    expect(pairWeights([1, 2, 3], games, "fewer-games")).toEqual([
      { pair: [1, 2], weight: 1 / 4 },
      { pair: [1, 3], weight: 1 },
      { pair: [2, 3], weight: 1 },
    ]);
  });

  it("has no pair for fewer than two policies", () => {
    expect(pairWeights([7], new Map(), "uniform")).toEqual([]);
    expect(() => drawPair([7], new Map(), "uniform", createRng(1))).toThrow(/two policies/);
  });
});

describe("drawPair", () => {
  /** Share of draws of each unordered pair, and of draws where the smaller id is on the left. */
  function frequencies(ids: number[], games: Map<string, number>, rule: "uniform" | "fewer-games", n: number) {
    const rng = createRng(2024);
    const counts = new Map<string, number>();
    let smallerLeft = 0;
    for (let i = 0; i < n; i++) {
      const [left, right] = drawPair(ids, games, rule, rng);
      expect(left).not.toBe(right);
      counts.set(pairKey(left, right), (counts.get(pairKey(left, right)) ?? 0) + 1);
      if (left < right) smallerLeft++;
    }
    return { share: (a: number, b: number) => (counts.get(pairKey(a, b)) ?? 0) / n, smallerLeft: smallerLeft / n };
  }

  it("draws pairs in proportion to their weights, and each side half the time", () => {
    const n = 20_000;
    const uniform = frequencies([1, 2, 3], new Map(), "uniform", n);
    for (const [a, b] of [[1, 2], [1, 3], [2, 3]] as const) expect(Math.abs(uniform.share(a, b) - 1 / 3)).toBeLessThan(0.015);
    expect(Math.abs(uniform.smallerLeft - 0.5)).toBeLessThan(0.015);
    // Weights 1/4, 1, 1 of a total 9/4: shares 1/9, 4/9, 4/9.
    const fewer = frequencies([1, 2, 3], new Map([[pairKey(1, 2), 3]]), "fewer-games", n);
    expect(Math.abs(fewer.share(1, 2) - 1 / 9)).toBeLessThan(0.015);
    expect(Math.abs(fewer.share(1, 3) - 4 / 9)).toBeLessThan(0.015);
    expect(Math.abs(fewer.share(2, 3) - 4 / 9)).toBeLessThan(0.015);
  });
});
