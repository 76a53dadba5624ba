import { describe, expect, it } from "vitest";
import { createRng, sampleWithReplacement, seedFromString, shuffle, standardNormal, uniformInt } from "./random";

/** Pearson chi-square statistic of observed counts against equal expected counts. */
function chiSquareUniform(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}

describe("createRng", () => {
  it("repeats the same stream for the same seed and differs for another", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(xs);
    expect(Array.from({ length: 5 }, c)).not.toEqual(xs);
  });

  it("matches the published mulberry32 reference stream for seed 0", () => {
    // Reference values from the canonical JS mulberry32 with a = 0.
    const rng = createRng(0);
    const first = [rng(), rng(), rng()].map((x) => Math.round(x * 4294967296));
    expect(first).toEqual([1144304738, 1416247, 958946056]);
  });

  it("stays in [0, 1) with mean 1/2 and variance 1/12", () => {
    const rng = createRng(7);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = rng();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    expect(outside).toBe(0);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sumSq / n - mean * mean).toBeCloseTo(1 / 12, 3);
  });
});

describe("uniformInt", () => {
  it("covers [0, n) evenly (chi-square, 9 d.o.f., far below the 0.1% critical value 27.9)", () => {
    const rng = createRng(1);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[uniformInt(rng, 10)]++;
    expect(chiSquareUniform(counts)).toBeLessThan(27.9);
  });

  it("rejects a non-positive or fractional n", () => {
    const rng = createRng(1);
    expect(() => uniformInt(rng, 0)).toThrow(RangeError);
    expect(() => uniformInt(rng, 2.5)).toThrow(RangeError);
  });
});

describe("shuffle and sampleWithReplacement", () => {
  it("shuffle returns a permutation and puts each item in each slot about equally often", () => {
    const rng = createRng(3);
    const slotCounts = new Array(4).fill(0); // where item 0 lands
    let notPermutations = 0;
    for (let t = 0; t < 40_000; t++) {
      const xs = shuffle(rng, [0, 1, 2, 3]);
      if ([...xs].sort().join() !== "0,1,2,3") notPermutations++;
      slotCounts[xs.indexOf(0)]++;
    }
    expect(notPermutations).toBe(0);
    expect(chiSquareUniform(slotCounts)).toBeLessThan(16.3); // 3 d.o.f., 0.1%
  });

  it("samples with replacement: k items, all from the input, repeats expected", () => {
    const rng = createRng(5);
    const items = ["a", "b", "c"];
    const sample = sampleWithReplacement(rng, items, 1000);
    expect(sample).toHaveLength(1000);
    expect(new Set(sample)).toEqual(new Set(items));
    expect(() => sampleWithReplacement(rng, [], 1)).toThrow(RangeError);
  });
});

describe("seedFromString and standardNormal", () => {
  it("hashes strings with FNV-1a (known value for the empty string and 'a')", () => {
    expect(seedFromString("")).toBe(0x811c9dc5);
    expect(seedFromString("a")).toBe(0xe40c292c);
  });

  it("draws normals with mean 0 and variance 1", () => {
    const rng = createRng(11);
    const xs = Array.from({ length: 100_000 }, () => standardNormal(rng));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(variance).toBeCloseTo(1, 1);
  });
});
