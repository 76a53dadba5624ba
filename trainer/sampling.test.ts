import { describe, expect, it } from "vitest";
import { makeRng } from "./rng";
import { sampleToken, type SamplingOptions } from "./sampling";

const draws = (logits: number[], o: SamplingOptions, n: number, seed = 7) => {
  const rand = makeRng(seed);
  return Array.from({ length: n }, () => sampleToken(logits, o, rand));
};
const share = (tokens: number[], id: number) => tokens.filter((t) => t === id).length / tokens.length;

describe("ε-greedy noise in sampleToken (D-REX)", () => {
  const logits = [0.3, -1, 2, 0.5, -0.2];

  it("ε = 0 draws exactly what plain sampling draws from the same seed (no extra random number is used)", () => {
    const plain = draws(logits, { temperature: 1, topK: 0, topP: 1 }, 500);
    expect(draws(logits, { temperature: 1, topK: 0, topP: 1, epsilon: 0 }, 500)).toEqual(plain);
    expect(draws(logits, { temperature: 1, topK: 0, topP: 1, epsilon: 0.5 }, 500)).not.toEqual(plain);
  });

  it("ε = 1 draws uniformly from the whole vocabulary, whatever the policy prefers", () => {
    const tokens = draws([50, 0, 0, 0], { temperature: 1, topK: 1, topP: 1, epsilon: 1 }, 8000);
    for (let id = 0; id < 4; id++) expect(Math.abs(share(tokens, id) - 0.25)).toBeLessThan(0.02); // σ ≈ 0.005
  });

  it("greedy decoding with ε = 0.3 keeps the argmax 70% + 30%/V of the time, and is reproducible from the seed", () => {
    const o = { temperature: 0, topK: 0, topP: 1, epsilon: 0.3 };
    const tokens = draws(logits, o, 8000);
    expect(Math.abs(share(tokens, 2) - (0.7 + 0.3 / 5))).toBeLessThan(0.02); // σ ≈ 0.005
    expect(Math.abs(share(tokens, 1) - 0.3 / 5)).toBeLessThan(0.015);
    expect(draws(logits, o, 200)).toEqual(tokens.slice(0, 200));
  });
});
