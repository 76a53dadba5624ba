import { describe, expect, it } from "vitest";
import { countRelations, selectRewardPairs } from "./prepare";

type Relation = "preferred" | "tie" | "both_bad";
const make = (preferred: number, tie: number, bothBad: number) => [
  ...Array.from({ length: preferred }, (_, id) => ({ id, relation: "preferred" as Relation })),
  ...Array.from({ length: tie }, (_, id) => ({ id: 1000 + id, relation: "tie" as Relation })),
  ...Array.from({ length: bothBad }, (_, id) => ({ id: 2000 + id, relation: "both_bad" as Relation })),
];

describe("selectRewardPairs", () => {
  it("drops both-bad always and ties when they are excluded", () => {
    const pairs = make(12, 3, 4);
    expect(selectRewardPairs(pairs, "exclude").map((p) => p.relation)).toEqual(Array(12).fill("preferred"));
    expect(selectRewardPairs(pairs, "davidson")).toHaveLength(15);
    expect(countRelations(pairs)).toEqual({ preferred: 12, tie: 3, both_bad: 4 });
  });

  it("fails fast with a message naming what is missing", () => {
    expect(() => selectRewardPairs([], "exclude")).toThrow(/no judgements/);
    expect(() => selectRewardPairs(make(0, 20, 1), "rao-kupper")).toThrow(/every usable judgement is a tie \(0 preferred, 20 tie, 1 both-bad\)/);
    expect(() => selectRewardPairs(make(9, 0, 30), "exclude")).toThrow(/not enough judgements: 9 preferred.*at least 10/);
    expect(selectRewardPairs(make(3, 0, 0), "exclude", 3)).toHaveLength(3);
  });
});
