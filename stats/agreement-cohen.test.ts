import { describe, expect, it } from "vitest";
import { cohenKappa, cohenKappaFromTable, type KappaWeights } from "./agreement-cohen";
import { createRng, uniformInt } from "./random";

/** Expands a [k, k] count table (rows rater a) into two aligned rating lists. */
function fromTable(table: number[][], labels = table.map((_, i) => i)) {
  const a: number[] = [];
  const b: number[] = [];
  table.forEach((row, i) => row.forEach((count, j) => {
    for (let t = 0; t < count; t++) (a.push(labels[i]), b.push(labels[j]));
  }));
  return { a, b };
}

/** Naive reference straight from the definition, no contingency table: pairs of items. */
function naiveWeightedKappa(a: number[], b: number[], weights: KappaWeights): number {
  const cats = [...new Set([...a, ...b])].sort((x, y) => x - y);
  const k = cats.length;
  const w = (x: number, y: number) => {
    const d = Math.abs(cats.indexOf(x) - cats.indexOf(y)) / (k - 1);
    return weights === "none" ? (d > 0 ? 1 : 0) : weights === "linear" ? d : d * d;
  };
  const n = a.length;
  let observed = 0;
  let expected = 0;
  for (let s = 0; s < n; s++) {
    observed += w(a[s], b[s]) / n;
    for (let t = 0; t < n; t++) expected += w(a[s], b[t]) / (n * n);
  }
  return 1 - observed / expected;
}

// Anxiety ratings of 20 subjects by 3 raters (R package irr's `anxiety` data), column-major.
const anxiety = [
  3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3, 3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3,
  3, 3, 2, 2, 1, 3, 3, 4, 2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2,
];
const rater2 = anxiety.slice(20, 40);
const rater3 = anxiety.slice(40, 60);

describe("cohenKappa", () => {
  it("matches a hand-computed 2x2 table", () => {
    // 50 items: yes/yes 20, yes/no 5, no/yes 10, no/no 15. p_o = 35/50 = 0.7;
    // a says yes 25/50, b says yes 30/50: p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4.
    const { a, b } = fromTable([[20, 5], [10, 15]]);
    const r = cohenKappa(a, b);
    expect(r.kappa).toBeCloseTo(0.4, 12);
    expect(r.observedAgreement).toBeCloseTo(0.7, 12);
    expect(r.n).toBe(50);
  });

  it("matches a 3x3 table by hand (107/221) and SAS's printout 0.4842", () => {
    // n = 19, p_o = 13/19, rows 5,8,6, columns 0,13,6: p_e = (8*13 + 6*6)/361 = 140/361,
    // kappa = (247 - 140) / (361 - 140) = 107/221. Linear weights: SAS reports 0.4701.
    const { a, b } = fromTable([[0, 4, 1], [0, 8, 0], [0, 1, 5]]);
    expect(cohenKappa(a, b).kappa).toBeCloseTo(107 / 221, 12);
    expect(cohenKappa(a, b).kappa).toBeCloseTo(0.4842, 4);
    expect(cohenKappa(a, b, { weights: "linear" }).kappa).toBeCloseTo(0.4701, 4);
  });

  it("matches R irr::kappa2 on the anxiety data, unweighted and weighted", () => {
    expect(cohenKappa(rater2, rater3).kappa).toBeCloseTo(-0.006289308, 8);
    expect(cohenKappa(rater2, rater3, { weights: "linear" }).kappa).toBeCloseTo(0.1459075, 7);
    expect(cohenKappa(rater2, rater3, { weights: "quadratic" }).kappa).toBeCloseTo(0.2520325, 7);
  });

  it("agrees with the naive pairwise definition on random ordinal data", () => {
    const rng = createRng(7);
    const a = Array.from({ length: 60 }, () => uniformInt(rng, 5));
    const b = a.map((x) => (rng() < 0.6 ? x : uniformInt(rng, 5)));
    for (const w of ["none", "linear", "quadratic"] as const) {
      expect(cohenKappa(a, b, { weights: w }).kappa).toBeCloseTo(naiveWeightedKappa(a, b, w), 12);
    }
  });

  it("is 1 for perfect agreement and NaN when both raters are constant", () => {
    expect(cohenKappa(["l", "r", "t", "l"], ["l", "r", "t", "l"]).kappa).toBe(1);
    expect(cohenKappa([2, 2, 2], [2, 2, 2]).kappa).toBeNaN();
    expect(cohenKappa([], []).kappa).toBeNaN();
  });

  it("is exactly 0 for independent raters and near 0 for random ones", () => {
    // a cycles fastest, b slowest: every (a, b) combination equally often = independence.
    const a = Array.from({ length: 90 }, (_, t) => t % 3);
    const b = Array.from({ length: 90 }, (_, t) => Math.floor(t / 3) % 3);
    expect(cohenKappa(a, b).kappa).toBeCloseTo(0, 12);
    const rng = createRng(11);
    const x = Array.from({ length: 20000 }, () => uniformInt(rng, 3));
    const y = Array.from({ length: 20000 }, () => uniformInt(rng, 3));
    // Standard error of kappa near 0 is about 1/sqrt(n * ...) ≈ 0.007 here; 0.03 is > 4 SE.
    expect(Math.abs(cohenKappa(x, y).kappa)).toBeLessThan(0.03);
  });

  it("drops items that either rater left empty", () => {
    const withGaps = cohenKappa([1, null, 2, 1, 2], [1, 2, 2, null, 1]);
    expect(withGaps.n).toBe(3);
    expect(withGaps.kappa).toBeCloseTo(cohenKappa([1, 2, 2], [1, 2, 1]).kappa, 15);
  });

  it("uses an explicit category order for weights, including unused categories", () => {
    // Scale bad < ok < good < great; with 4 categories linear distance ok-good is 1/3.
    const order = ["bad", "ok", "good", "great"];
    const r = cohenKappa(["ok", "good", "ok"], ["good", "good", "ok"], { weights: "linear", categories: order });
    // observed = (1/3)/3 = 1/9; a: ok 2, good 1; b: good 2, ok 1 → expected = (2*2 + 1*1)/9 * 1/3 = 5/27
    expect(r.kappa).toBeCloseTo(1 - (1 / 9) / (5 / 27), 12);
  });

  it("from a count table equals the naive definition on the lists the table expands to", () => {
    const rng = createRng(21);
    for (let trial = 0; trial < 20; trial++) {
      const k = 2 + uniformInt(rng, 4);
      const table = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => uniformInt(rng, i === j ? 12 : 5)));
      const { a, b } = fromTable(table);
      if (new Set([...a, ...b]).size < k) continue; // an unused category would stretch the naive scale
      for (const w of ["none", "linear", "quadratic"] as const) {
        const r = cohenKappaFromTable(table, w);
        expect(r.kappa).toBeCloseTo(naiveWeightedKappa(a, b, w), 12);
        expect(r.n).toBe(a.length);
        expect(r.observedAgreement).toBeCloseTo(a.filter((x, t) => x === b[t]).length / a.length, 15);
      }
    }
  });
});
