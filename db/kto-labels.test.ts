import { describe, expect, it } from "vitest";
import type { JudgementForDerivation } from "./derive-pairs";
import { ktoLabels, type KtoJudgement } from "./kto-labels";
import type { GoldAnswer } from "./schema";

const base: JudgementForDerivation = { taskKind: "pair", displayOrder: [], outcome: null, ranking: null, chosenCompletionId: null, correctedCompletionId: null };
const judgement = (d: Partial<JudgementForDerivation>, gold: GoldAnswer | null = null): KtoJudgement => {
  const derivation = { ...base, ...d };
  return { taskKind: derivation.taskKind, derivation, gold };
};
/** Labels as "id+" (desirable) and "id-" (undesirable), in order. */
const labels = (j: KtoJudgement) => ktoLabels(j).map((l) => `${l.completionId}${l.desirable ? "+" : "-"}`);

describe("KTO labels of a pair judgement", () => {
  it("makes the winner desirable and the loser undesirable, relative to display order", () => {
    expect(labels(judgement({ displayOrder: [7, 3], outcome: "left" }))).toEqual(["7+", "3-"]);
    expect(labels(judgement({ displayOrder: [7, 3], outcome: "right" }))).toEqual(["3+", "7-"]);
  });

  it("makes both completions of a both-bad judgement undesirable and gives a tie no label", () => {
    expect(labels(judgement({ displayOrder: [7, 3], outcome: "both_bad" }))).toEqual(["7-", "3-"]);
    expect(labels(judgement({ displayOrder: [7, 3], outcome: "tie" }))).toEqual([]);
  });
});

describe("KTO labels of a ranking", () => {
  it("makes the first group desirable and the last undesirable, middle groups unlabelled", () => {
    expect(labels(judgement({ taskKind: "rank", displayOrder: [1, 2, 3, 4], ranking: [[4], [1, 2], [3]] }))).toEqual(["4+", "3-"]);
    expect(labels(judgement({ taskKind: "rank", displayOrder: [1, 2, 3, 4], ranking: [[4, 2], [1, 3]] }))).toEqual(["4+", "2+", "1-", "3-"]);
  });

  it("gives a ranking that is one tied group no label", () => {
    expect(labels(judgement({ taskKind: "rank", displayOrder: [1, 2, 3], ranking: [[1, 2, 3]] }))).toEqual([]);
  });
});

describe("KTO labels of a correction", () => {
  it("makes the edited text desirable and every shown completion undesirable, the edited original included", () => {
    expect(labels(judgement({ taskKind: "correction", displayOrder: [5, 6, 7], chosenCompletionId: 6, correctedCompletionId: 9 }))).toEqual(["9+", "5-", "6-", "7-"]);
  });

  it("makes the chosen completion desirable when it was not edited", () => {
    expect(labels(judgement({ taskKind: "correction", displayOrder: [5, 6], chosenCompletionId: 6 }))).toEqual(["6+", "5-"]);
  });
});

describe("KTO labels of a gold item", () => {
  it("come from the known answer, not from what the annotator answered", () => {
    expect(labels(judgement({ displayOrder: [7, 3], outcome: "left" }, { winner: 3 }))).toEqual(["3+", "7-"]);
    expect(labels(judgement({ displayOrder: [7, 3], outcome: "tie" }, { winner: 7 }))).toEqual(["7+", "3-"]);
    const rank = judgement({ taskKind: "rank", displayOrder: [1, 2, 3], ranking: [[1], [2], [3]] }, { ranking: [[3], [1, 2]] });
    expect(labels(rank)).toEqual(["3+", "1-", "2-"]);
    const correction = judgement({ taskKind: "correction", displayOrder: [5, 6], chosenCompletionId: 6, correctedCompletionId: 9 }, { winner: 5 });
    expect(labels(correction)).toEqual(["5+", "6-"]);
  });
});
