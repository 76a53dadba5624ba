import { describe, expect, it } from "vitest";
import { agreementLabel, derivePairs, taskAgreement, type JudgementForDerivation } from "./derive-pairs";

const base: JudgementForDerivation = {
  taskKind: "pair",
  displayOrder: [10, 20],
  outcome: null,
  ranking: null,
  chosenCompletionId: null,
  correctedCompletionId: null,
};

describe("derivePairs", () => {
  it("turns 'right is better' into right ≻ left, whatever the canonical order", () => {
    expect(derivePairs({ ...base, displayOrder: [20, 10], outcome: "right" })).toEqual([
      { chosenId: 10, rejectedId: 20, relation: "preferred", weight: 1, derivation: "pair" },
    ]);
  });

  it("keeps ties and both-bad as distinct relations instead of dropping them", () => {
    expect(derivePairs({ ...base, outcome: "tie" })[0]!.relation).toBe("tie");
    expect(derivePairs({ ...base, outcome: "both_bad" })[0]!.relation).toBe("both_bad");
  });

  it("gives a ranking of 4 its 6 pairs, each weighted 1/6, consistent with the order", () => {
    const pairs = derivePairs({ ...base, taskKind: "rank", displayOrder: [1, 2, 3, 4], ranking: [[3], [1], [4], [2]] });
    expect(pairs).toHaveLength(6);
    for (const p of pairs) expect(p.weight).toBeCloseTo(1 / 6, 12);
    const order = [3, 1, 4, 2];
    for (const p of pairs) expect(order.indexOf(p.chosenId)).toBeLessThan(order.indexOf(p.rejectedId));
    const unordered = new Set(pairs.map((p) => [p.chosenId, p.rejectedId].sort().join("-")));
    expect(unordered.size).toBe(6);
  });

  it("turns tied rank groups into tie pairs and still weights by C(N,2)", () => {
    const pairs = derivePairs({ ...base, taskKind: "rank", displayOrder: [1, 2, 3], ranking: [[1, 2], [3]] });
    expect(pairs.map((p) => [p.chosenId, p.rejectedId, p.relation])).toEqual([
      [1, 2, "tie"],
      [1, 3, "preferred"],
      [2, 3, "preferred"],
    ]);
    for (const p of pairs) expect(p.weight).toBeCloseTo(1 / 3, 12);
  });

  it("derives edited ≻ chosen and chosen ≻ rejected from a correction", () => {
    const pairs = derivePairs({
      ...base,
      taskKind: "correction",
      displayOrder: [10, 20],
      chosenCompletionId: 20,
      correctedCompletionId: 99,
    });
    expect(pairs.map((p) => [p.chosenId, p.rejectedId, p.derivation])).toEqual([
      [99, 20, "correction-edit"],
      [20, 10, "correction-choice"],
    ]);
  });

  it("derives only chosen ≻ rejected when the annotator left the text unchanged", () => {
    const pairs = derivePairs({ ...base, taskKind: "correction", chosenCompletionId: 10, correctedCompletionId: null });
    expect(pairs.map((p) => [p.chosenId, p.rejectedId])).toEqual([[10, 20]]);
  });
});

describe("taskAgreement", () => {
  it("is the share agreeing with the majority label, comparing winners not screen sides", () => {
    const a = agreementLabel({ ...base, displayOrder: [10, 20], outcome: "left" });
    const b = agreementLabel({ ...base, displayOrder: [20, 10], outcome: "right" });
    const c = agreementLabel({ ...base, displayOrder: [10, 20], outcome: "tie" });
    expect(a).toBe(b);
    expect(taskAgreement([a, b, c])).toBeCloseTo(2 / 3, 12);
    expect(taskAgreement([a])).toBeNull();
  });
});
