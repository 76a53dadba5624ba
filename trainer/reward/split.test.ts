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

describe("splitByPrompt with a test side", () => {
  const promptSets = (s: { train: unknown[]; validation: unknown[]; test: unknown[] }) =>
    [s.train, s.validation, s.test].map((side) => new Set((side as Array<{ prompt: string }>).map(promptOf)));

  it("gives an empty test side by default", () => {
    expect(splitByPrompt(items, promptOf, { validationFraction: 0.2, seed: 7 }).test).toEqual([]);
  });

  it("holds out round(fraction · prompts) for each side, disjoint, every item exactly once", () => {
    const split = splitByPrompt(items, promptOf, { validationFraction: 0.2, testFraction: 0.1, seed: 3 });
    const [train, validation, test] = promptSets(split);
    expect([train!.size, validation!.size, test!.size]).toEqual([28, 8, 4]);
    for (const p of test!) expect(train!.has(p) || validation!.has(p)).toBe(false);
    for (const p of validation!) expect(train!.has(p)).toBe(false);
    const ids = [...split.train, ...split.validation, ...split.test].map((x) => x.id).sort((a, b) => a - b);
    expect(ids).toEqual(items.map((x) => x.id));
  });

  it("keeps the validation prompts of a seed when a test side is added, and is deterministic", () => {
    const two = splitByPrompt(items, promptOf, { validationFraction: 0.2, seed: 5 });
    const three = splitByPrompt([...items].reverse(), promptOf, { validationFraction: 0.2, testFraction: 0.15, seed: 5 });
    const again = splitByPrompt(items, promptOf, { validationFraction: 0.2, testFraction: 0.15, seed: 5 });
    expect(promptSets(three)[1]).toEqual(promptSets(two)[1]);
    expect(promptSets(again)).toEqual(promptSets(three));
  });

  it("puts one prompt on each side from three prompts, and lets test give way below that", () => {
    const three = [{ prompt: "a" }, { prompt: "b" }, { prompt: "c" }, { prompt: "a" }];
    expect(promptSets(splitByPrompt(three, promptOf, { validationFraction: 0.01, testFraction: 0.01, seed: 0 })).map((s) => s.size)).toEqual([1, 1, 1]);
    const two = three.filter((x) => x.prompt !== "c");
    expect(promptSets(splitByPrompt(two, promptOf, { validationFraction: 0.1, testFraction: 0.1, seed: 0 })).map((s) => s.size)).toEqual([1, 1, 0]);
    expect(promptSets(splitByPrompt(two, promptOf, { validationFraction: 0, testFraction: 0.1, seed: 0 })).map((s) => s.size)).toEqual([1, 0, 1]);
    expect(splitByPrompt([], promptOf, { validationFraction: 0.1, testFraction: 0.1, seed: 0 })).toEqual({ train: [], validation: [], test: [] });
  });

  it("rejects fractions that leave no training prompts", () => {
    expect(() => splitByPrompt(items, promptOf, { validationFraction: 0.5, testFraction: 0.5, seed: 0 })).toThrow(RangeError);
    expect(() => splitByPrompt(items, promptOf, { validationFraction: 0.1, testFraction: -0.1, seed: 0 })).toThrow(RangeError);
  });
});
