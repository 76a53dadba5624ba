import { describe, expect, it } from "vitest";
import { buildRewardBatch } from "./batch";

describe("buildRewardBatch", () => {
  it("puts chosen rows first, right-pads, and numbers positions from 0", () => {
    const batch = buildRewardBatch(
      [
        { chosen: [5, 6, 7], rejected: [5, 8], weight: 0.5, margin: 1 },
        { chosen: [9], rejected: [9, 1, 2, 3], tie: true },
      ],
      { maxLength: 10, padId: 0, sequenceStart: [] },
    );
    expect([batch.rows, batch.seq]).toEqual([4, 4]);
    expect(Array.from(batch.inputIds)).toEqual([5, 6, 7, 0, 9, 0, 0, 0, 5, 8, 0, 0, 9, 1, 2, 3]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(batch.positionIds)).toEqual([0, 1, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3]);
    expect(Array.from(batch.weight)).toEqual([0.5, 1]);
    expect(Array.from(batch.margin)).toEqual([1, 0]);
    expect(Array.from(batch.tie)).toEqual([0, 1]);
  });

  it("keeps the last maxLength tokens, where the judged answer is", () => {
    const batch = buildRewardBatch([{ chosen: [1, 2, 3, 4, 5], rejected: [1, 2, 9] }], { maxLength: 3, padId: 0, sequenceStart: [] });
    expect(Array.from(batch.inputIds)).toEqual([3, 4, 5, 1, 2, 9]);
    expect(() => buildRewardBatch([{ chosen: [], rejected: [1] }], { maxLength: 3, padId: 0, sequenceStart: [] })).toThrow(/empty/);
  });

  it("keeps a tokenizer's sequence start (Llama 3's BOS) first when it truncates", () => {
    const batch = buildRewardBatch([{ chosen: [100, 1, 2, 3, 4, 5], rejected: [100, 2, 9] }], { maxLength: 3, padId: 0, sequenceStart: [100] });
    expect(Array.from(batch.inputIds)).toEqual([100, 4, 5, 100, 2, 9]);
  });
});
