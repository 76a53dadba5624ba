import { describe, expect, it } from "vitest";
import { agreementMatrix } from "./agreement-matrix";
import type { Rating } from "./agreement-units";

/** Ratings for one rater from a list of [item, value] pairs. */
const rater = (name: string, pairs: Array<[string, string]>): Rating[] =>
  pairs.map(([item, value]) => ({ item, rater: name, value }));

// ann and bob share items 1..6; cat shares only items 5..6 with them.
const ratings: Rating[] = [
  ...rater("bob", [["1", "left"], ["2", "left"], ["3", "right"], ["4", "right"], ["5", "left"], ["6", "tie"]]),
  ...rater("ann", [["1", "left"], ["2", "right"], ["3", "right"], ["4", "right"], ["5", "left"], ["6", "left"]]),
  ...rater("cat", [["5", "left"], ["6", "tie"], ["7", "left"]]),
];

describe("agreementMatrix", () => {
  it("gives percent agreement, kappa and shared count per pair, hand-computed", () => {
    const m = agreementMatrix(ratings, { minShared: 2 });
    expect(m.raters).toEqual(["ann", "bob", "cat"]);
    const annBob = m.pairs.find((p) => p.a === "ann" && p.b === "bob")!;
    expect(annBob.shared).toBe(6);
    expect(annBob.percentAgreement).toBeCloseTo(4 / 6, 12);
    // ann: left 3, right 3; bob: left 3, right 2, tie 1 → p_e = (9 + 6) / 36; p_o = 4/6.
    expect(annBob.kappa).toBeCloseTo((4 / 6 - 15 / 36) / (1 - 15 / 36), 12);
    const bobCat = m.pairs.find((p) => p.a === "bob" && p.b === "cat")!;
    expect(bobCat).toMatchObject({ shared: 2, percentAgreement: 1, kappa: 1 });
    expect(m.pairs).toHaveLength(3);
  });

  it("leaves out pairs that share fewer than minShared items", () => {
    const m = agreementMatrix(ratings, { minShared: 3 });
    expect(m.pairs.map((p) => `${p.a}-${p.b}`)).toEqual(["ann-bob"]);
    expect(agreementMatrix(ratings).pairs.map((p) => `${p.a}-${p.b}`)).toEqual(["ann-bob"]);
  });

  it("lets a rater's later rating of an item replace the earlier one", () => {
    const corrected = [...ratings, { item: "2", rater: "ann", value: "left" }];
    const annBob = agreementMatrix(corrected).pairs[0];
    expect(annBob.shared).toBe(6);
    expect(annBob.percentAgreement).toBeCloseTo(5 / 6, 12);
  });
});
