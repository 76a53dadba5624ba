import { describe, expect, it } from "vitest";
import { splitByPrompt } from "./split";

const items = Array.from({ length: 300 }, (_, i) => ({ prompt: `prompt ${i % 40}`, id: i }));
const promptOf = (x: { prompt: string }) => x.prompt;

describe("splitByPrompt", () => {
  it("never puts a prompt on both sides and keeps every item exactly once", () => {
    const { train, validation } = splitByPrompt(items, promptOf, { validationFraction: 0.25, seed: 1 });
    const trainPrompts = new Set(train.map(promptOf));
    expect(validation.some((x) => trainPrompts.has(x.prompt))).toBe(false);
    expect([...train, ...validation].map((x) => x.id).sort((a, b) => a - b)).toEqual(items.map((x) => x.id));
    expect(new Set(validation.map(promptOf)).size).toBe(10); // round(0.25 · 40)
  });

  it("is deterministic by seed and independent of input order; another seed differs", () => {
    const a = splitByPrompt(items, promptOf, { validationFraction: 0.2, seed: 7 });
    const b = splitByPrompt([...items].reverse(), promptOf, { validationFraction: 0.2, seed: 7 });
    const c = splitByPrompt(items, promptOf, { validationFraction: 0.2, seed: 8 });
    const prompts = (s: typeof a) => [...new Set(s.validation.map(promptOf))].sort();
    expect(prompts(b)).toEqual(prompts(a));
    expect(prompts(c)).not.toEqual(prompts(a));
  });

  it("keeps one prompt on each side for tiny data and rejects a fraction of 1", () => {
    const two = [{ prompt: "x" }, { prompt: "y" }, { prompt: "x" }];
    const split = splitByPrompt(two, promptOf, { validationFraction: 0.01, seed: 0 });
    expect(new Set(split.validation.map(promptOf)).size).toBe(1);
    expect(new Set(split.train.map(promptOf)).size).toBe(1);
    expect(splitByPrompt(two, promptOf, { validationFraction: 0, seed: 0 }).validation).toEqual([]);
    expect(() => splitByPrompt(two, promptOf, { validationFraction: 1, seed: 0 })).toThrow(RangeError);
  });
});
