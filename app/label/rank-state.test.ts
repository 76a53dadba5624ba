import { describe, expect, it } from "vitest";
import { clearRank, moveFocus, moveItem, nudge, rankingFromRanks, rankingGap, ranksFromOrder, setRank } from "./rank-state";

describe("setRank", () => {
  it("lets two cards share a rank when ties are allowed", () => {
    expect(setRank({ 10: 1 }, 20, 1, true)).toEqual({ 10: 1, 20: 1 });
  });

  it("swaps with the holder of the rank when ties are not allowed", () => {
    expect(setRank({ 10: 1, 20: 2 }, 20, 1, false)).toEqual({ 10: 2, 20: 1 });
  });

  it("unranks the holder when the moving card had no rank yet", () => {
    expect(setRank({ 10: 1 }, 20, 1, false)).toEqual({ 20: 1 });
  });

  it("clears a single card's rank and leaves the rest", () => {
    expect(clearRank({ 10: 1, 20: 2 }, 10)).toEqual({ 20: 2 });
  });
});

describe("rankingFromRanks", () => {
  it("groups equal ranks in visible order, best first, leaving unranked cards out", () => {
    expect(rankingFromRanks([5, 6, 7, 8], { 5: 3, 6: 1, 7: 3 })).toEqual([[6], [5, 7]]);
  });

  it("keeps gaps between ranks harmless (ranks 1 and 4 are first and second)", () => {
    expect(rankingFromRanks([1, 2], { 1: 4, 2: 1 })).toEqual([[2], [1]]);
  });
});

describe("drag and drop order", () => {
  it("moves an item and ranks every card by position", () => {
    const order = moveItem([1, 2, 3, 4], 3, 0);
    expect(order).toEqual([4, 1, 2, 3]);
    expect(ranksFromOrder(order)).toEqual({ 4: 1, 1: 2, 2: 3, 3: 4 });
    expect(moveItem([1, 2, 3], 0, 2)).toEqual([2, 3, 1]);
  });
});

describe("rankingGap", () => {
  it("asks for every card unless partial rankings are allowed, and always for two", () => {
    expect(rankingGap([1, 2, 3], { 1: 1, 2: 2 }, false)).toBe("Rank all 3 completions (1 left).");
    expect(rankingGap([1, 2, 3], { 1: 1, 2: 2 }, true)).toBeNull();
    expect(rankingGap([1, 2, 3], { 1: 1 }, true)).toBe("Rank at least two completions.");
    expect(rankingGap([1, 2, 3], { 1: 1 }, false)).toBe("Rank all 3 completions (2 left).");
  });
});

describe("moveFocus", () => {
  it("stops at the first and last card", () => {
    expect(moveFocus(0, -1, 3)).toBe(0);
    expect(moveFocus(2, 1, 3)).toBe(2);
    expect(moveFocus(1, 1, 3)).toBe(2);
  });
});

describe("nudge", () => {
  it("moves a card one place up or down and stops at both ends", () => {
    expect(nudge([1, 2, 3], 3, -1)).toEqual([1, 3, 2]);
    expect(nudge(nudge([1, 2, 3], 3, -1), 3, -1)).toEqual([3, 1, 2]);
    expect(nudge([3, 1, 2], 3, -1)).toEqual([3, 1, 2]);
    expect(nudge([1, 2, 3], 1, 1)).toEqual([2, 1, 3]);
    expect(nudge([1, 2, 3], 3, 1)).toEqual([1, 2, 3]);
  });
});
