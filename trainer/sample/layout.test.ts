import { describe, expect, it } from "vitest";
import { layoutProblem, sampleConfigSchema } from "./config";
import { taskSets } from "./layout";

describe("sample layouts", () => {
  it("pairs each policy's j-th sample with the next (older) policy's j-th sample", () => {
    expect(taskSets("pair", [[1], [2]])).toEqual([[1, 2]]);
    expect(taskSets("pair", [[1, 2], [3, 4], [5, 6]])).toEqual([[1, 3], [2, 4], [3, 5], [4, 6]]);
  });

  it("pairs one policy's samples with each other, and puts every sample of a prompt in one rank or correction task", () => {
    expect(taskSets("pair", [[1, 2, 3]])).toEqual([[1, 2], [1, 3], [2, 3]]);
    expect(taskSets("rank", [[1, 2], [3, 4]])).toEqual([[1, 2, 3, 4]]);
    expect(taskSets("correction", [[1], [2]])).toEqual([[1, 2]]);
  });

  it("says when the policies and samples per prompt cannot fill the layout's tasks", () => {
    expect(layoutProblem("pair", 1, 1)).toMatch(/two policies/);
    expect(layoutProblem("pair", 1, 2)).toBeNull();
    expect(layoutProblem("rank", 2, 1)).toBe("a rank task shows 3 to 9 completions, but 2 policies × 1 samples make 2");
    expect(layoutProblem("rank", 5, 2)).toMatch(/make 10$/);
    expect(layoutProblem("correction", 2, 1)).toBeNull();
  });

  it("parses {} into the documented defaults, describes every field, and refuses a policy named twice", () => {
    expect(sampleConfigSchema.parse({})).toEqual({
      policyIds: [], prompts: "held-out", maxPrompts: 20, samplesPerPolicy: 1, layout: "pair",
      temperature: 1, maxNewTokens: 48, seed: 42, priority: 1, requiredJudgements: null,
    });
    for (const [name, field] of Object.entries(sampleConfigSchema.shape)) expect(field.description, name).toBeTruthy();
    expect(sampleConfigSchema.safeParse({ policyIds: [3, 3] }).success).toBe(false);
    expect(sampleConfigSchema.safeParse({ policyIds: Array.from({ length: 10 }, (_, i) => i + 1) }).success).toBe(false);
  });
});
