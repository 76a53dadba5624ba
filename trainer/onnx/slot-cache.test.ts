import { describe, expect, it } from "vitest";
import { SlotCache } from "./slot-cache";
import { float32Tensor } from "./session";

// 1 layer, 2 heads, headDim 1: slot contents are easy to read back.
const shape = { layers: 1, heads: 2, headDim: 1, vocab: 5, contextLength: 16 };

function kv(values: number[], seq: number) {
  return { "0.key": float32Tensor(Float32Array.from(values), [1, 2, seq, 1]), "0.value": float32Tensor(Float32Array.from(values.map((v) => -v)), [1, 2, seq, 1]) };
}

describe("SlotCache", () => {
  it("appends each head's new positions after its filled slots; empty slots stay zero", () => {
    const cache = new SlotCache(shape, 1, 4);
    cache.append(kv([1, 2, 10, 20], 2), 2); // head 0: 1, 2; head 1: 10, 20
    cache.append(kv([3, 30], 1), 1);
    expect(cache.filled).toBe(3);
    const past = cache.asPast();
    expect(past.length).toBe(4);
    expect(past.entries["past_key_values.0.key"].dims).toEqual([1, 2, 4, 1]);
    expect(Array.from(past.entries["past_key_values.0.key"].data as Float32Array)).toEqual([1, 2, 3, 0, 10, 20, 30, 0]);
    expect(Array.from(past.entries["past_key_values.0.value"].data as Float32Array)).toEqual([-1, -2, -3, 0, -10, -20, -30, 0]);
    expect(() => cache.append(kv([4, 5, 40, 50], 2), 2)).toThrow(/cannot take 3 \+ 2/);
  });

  it("masks slots past the filled ones and keeps each row's padding", () => {
    const cache = new SlotCache(shape, 2, 5);
    cache.filled = 3;
    // Row 0 was left-padded by one token; both rows feed one new token.
    expect(cache.stepMask([[0, 1, 1, 1], [1, 1, 1, 1]], 1)).toEqual([0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1]);
  });
});
