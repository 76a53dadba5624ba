import { describe, expect, it } from "vitest";
import { DuplicateIndex } from "./duplicate-index";

describe("DuplicateIndex", () => {
  it("answers like a Map of first lines through many resizes", () => {
    const index = new DuplicateIndex(4);
    const reference = new Map<string, number>();
    for (let line = 1; line <= 50_000; line++) {
      const key = `row ${(line * 7919) % 20_011}`; // every key comes back, in a scrambled order
      const expected = reference.get(key) ?? null;
      if (expected === null) reference.set(key, line);
      expect(index.add(key, line)).toBe(expected);
    }
    expect(reference.size).toBe(20_011);
  });
});
