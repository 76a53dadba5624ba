import { describe, expect, it } from "vitest";
import { fleissKappa, fleissKappaFromCounts } from "./agreement-fleiss";
import { unitsFromValueLists } from "./agreement-units";
import { createRng, uniformInt } from "./random";

// Fleiss (1971), Table 1 data: 30 patients, 6 psychiatrists each, 5 diagnoses (1 depression,
// 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other); R irr::kappam.fleiss: 0.4302445.
const diagnoses = [
  [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
  [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
  [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
  [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
  [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
  [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
];

// The worked example on Wikipedia's "Fleiss' kappa" page: 10 items, 14 raters, 5 categories.
const wikipediaCounts = [
  [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
];

describe("fleissKappa", () => {
  it("reproduces Fleiss' 1971 psychiatric-diagnosis example (0.430)", () => {
    const r = fleissKappa(unitsFromValueLists(diagnoses));
    expect(r.kappa).toBeCloseTo(0.4302445, 7);
    // Column totals 26, 26, 30, 55, 43 of 180 ratings (Fleiss' p_j).
    expect(r.categoryShares.map((p) => p * 180)).toEqual([26, 26, 30, 55, 43].map((x) => expect.closeTo(x, 9)));
  });

  it("reproduces the Wikipedia worked example: P-bar 0.378, P_e 0.213, kappa 0.210", () => {
    const r = fleissKappaFromCounts(wikipediaCounts);
    expect(r.observedAgreement).toBeCloseTo(0.378, 3);
    expect(r.expectedAgreement).toBeCloseTo(0.213, 3);
    expect(r.kappa).toBeCloseTo(0.21, 3);
  });

  it("handles variable ratings per item as hand-computed, excluding single-rating items", () => {
    // Items [a,a] P=1, [a,b,b] P=2/6, [a,b,a,b] P=4/12; [b] has one rating and is excluded.
    // P-bar = 5/9; p = (5/9, 4/9), P_e = 41/81; kappa = (45 - 41) / (81 - 41) = 0.1.
    const units = unitsFromValueLists([["a", "a"], ["a", "b", "b"], ["b"], ["a", "b", "a", "b"]]);
    const r = fleissKappa(units);
    expect(r.items).toBe(3);
    expect(r.observedAgreement).toBeCloseTo(5 / 9, 12);
    expect(r.expectedAgreement).toBeCloseTo(41 / 81, 12);
    expect(r.kappa).toBeCloseTo(0.1, 12);
  });

  it("is 1 for perfect agreement and NaN when every rating is the same", () => {
    expect(fleissKappa(unitsFromValueLists([[1, 1, 1], [2, 2], [3, 3, 3, 3]])).kappa).toBe(1);
    expect(fleissKappa(unitsFromValueLists([[1, 1, 1], [1, 1]])).kappa).toBeNaN();
    expect(fleissKappa(unitsFromValueLists([[1], [2]])).kappa).toBeNaN();
  });

  it("is near 0 when raters pick categories at random", () => {
    const rng = createRng(3);
    const lists = Array.from({ length: 4000 }, () => Array.from({ length: 5 }, () => uniformInt(rng, 4)));
    expect(Math.abs(fleissKappa(unitsFromValueLists(lists)).kappa)).toBeLessThan(0.02);
  });
});
