import { describe, expect, it } from "vitest";
import { itemAgreement, itemsWithMinAgreement } from "./agreement-per-item";
import { unitsFromRatings, type Rating } from "./agreement-units";

const ratings: Rating[] = [
  { item: "a", rater: "1", value: "left" },
  { item: "a", rater: "2", value: "left" },
  { item: "a", rater: "3", value: "right" },
  { item: "b", rater: "1", value: "tie" },
  { item: "b", rater: "2", value: "left" },
  { item: "c", rater: "1", value: "right" },
  { item: "d", rater: "1", value: "right" },
  { item: "d", rater: "2", value: "right" },
  { item: "d", rater: "3", value: "right" },
  { item: "d", rater: "4", value: "left" },
];

describe("itemAgreement", () => {
  it("gives each item's majority and the share agreeing with it", () => {
    const byItem = Object.fromEntries(itemAgreement(unitsFromRatings(ratings)).map((a) => [a.item, a]));
    expect(byItem.a).toMatchObject({ ratings: 3, majority: "left", share: 2 / 3 });
    expect(byItem.b).toMatchObject({ ratings: 2, majority: null, share: 0.5 });
    expect(byItem.c).toMatchObject({ ratings: 1, majority: "right", share: 1 });
    expect(byItem.d).toMatchObject({ ratings: 4, majority: "right", share: 0.75 });
  });

  it("finds a majority that appears after a tie among earlier values", () => {
    const [r] = itemAgreement([{ item: "x", values: [1, 2, 2, 1, 3, 3, 3] }]);
    expect(r).toMatchObject({ majority: 3, share: 3 / 7 });
  });

  it("filters items by minimum agreement and ignores single-rating items by default", () => {
    const units = unitsFromRatings(ratings);
    expect([...itemsWithMinAgreement(units, 0.7)].sort()).toEqual(["d"]);
    expect([...itemsWithMinAgreement(units, 0.6)].sort()).toEqual(["a", "d"]);
    expect([...itemsWithMinAgreement(units, 0.6, 1)].sort()).toEqual(["a", "c", "d"]);
  });
});
