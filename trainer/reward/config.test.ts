import { describe, expect, it } from "vitest";
import { z } from "zod";
import { marginForStrength, parseRewardConfig, rewardConfigSchema } from "./config";

describe("parseRewardConfig", () => {
  it("fills every default from an empty config", () => {
    const config = parseRewardConfig({});
    expect(config).toMatchObject({ kind: "neural", tieMode: "exclude", centering: 0.01, marginByStrength: [0, 0, 0], patience: 3, validationFraction: 0.1, testFraction: 0.1 });
    expect(parseRewardConfig(undefined)).toEqual(config);
  });

  it("names each bad field, including unknown keys", () => {
    expect(() => parseRewardConfig({ tieMode: "half", centering: -1 })).toThrow(/tieMode: .*; centering: /);
    expect(() => parseRewardConfig({ learningrate: 1e-4 })).toThrow(/invalid reward config: .*learningrate/);
  });

  it("refuses a setting the chosen kind ignores, naming the field and the kind", () => {
    const neuralOnly = { base: "models/x", tieMode: "davidson", tieParameter: 0.5, centering: 0, batchSize: 4, maxLength: 64, learningRate: 1e-4, epochs: 2, maxSteps: 10, evalInterval: 5, patience: 1 };
    for (const [field, value] of Object.entries(neuralOnly)) {
      expect(() => parseRewardConfig({ kind: "linear", [field]: value }), field).toThrow(
        `invalid reward config: ${field}: does nothing for kind "linear" (only "neural" reads it); leave it out`,
      );
    }
    expect(() => parseRewardConfig({ l2: 0.1 })).toThrow('l2: does nothing for kind "neural" (only "linear" reads it)');
    expect(() => parseRewardConfig({ kind: "neural", hashBits: 12, centering: 0.1 })).toThrow(
      new Error('invalid reward config: hashBits: does nothing for kind "neural" (only "linear" reads it); leave it out'),
    );
    expect(() => parseRewardConfig({ kind: "linear", patience: 2, centering: 0 })).toThrow(/: centering: .*; patience: /);
  });

  it("accepts for each kind the fields both read, its own, and the other kind's at their defaults (as a stored config holds them)", () => {
    const linear = parseRewardConfig({ kind: "linear", hashBits: 12, l2: 0.01, marginByStrength: [0, 1, 2], seed: 7, validationFraction: 0.2, name: "lin" });
    expect(linear).toMatchObject({ kind: "linear", hashBits: 12, l2: 0.01, centering: 0.01, patience: 3 });
    expect(parseRewardConfig(linear)).toEqual(linear);
    expect(parseRewardConfig({ kind: "linear", centering: 0.01, patience: 3, tieMode: "exclude", base: null })).toMatchObject({ kind: "linear" });
    const neural = parseRewardConfig({ centering: 0, patience: 5, marginByStrength: [0, 1, 2] });
    expect(parseRewardConfig({ ...neural, kind: "neural" })).toEqual(neural);
  });

  it("holds out a test side for both kinds, leaving prompts to train on", () => {
    expect(parseRewardConfig({ kind: "linear", testFraction: 0.3 })).toMatchObject({ kind: "linear", testFraction: 0.3 });
    expect(() => parseRewardConfig({ testFraction: 0 })).toThrow(/testFraction: /);
    expect(() => parseRewardConfig({ validationFraction: 0.5, testFraction: 0.5 })).toThrow(
      "invalid reward config: testFraction: validationFraction + testFraction must be below 1: training needs prompts too",
    );
  });

  it("describes every field in one line, with its default, for the launch form and --help", () => {
    const json = z.toJSONSchema(rewardConfigSchema, { io: "input" }) as { properties: Record<string, { description?: string; default?: unknown }> };
    const fields = Object.keys(parseRewardConfig({}));
    expect(Object.keys(json.properties).sort()).toEqual(fields.sort());
    for (const [name, field] of Object.entries(json.properties)) {
      expect(field.description, name).toMatch(/^\S.{10,}$/);
      expect(field.default, name).toEqual(parseRewardConfig({})[name as keyof ReturnType<typeof parseRewardConfig>]);
    }
  });

  it("maps judgement strength 1..3 to the configured margin, anything else to 0", () => {
    const config = parseRewardConfig({ marginByStrength: [0, 0.5, 1] });
    expect([1, 2, 3, null, 7].map((s) => marginForStrength(s, config))).toEqual([0, 0.5, 1, 0, 0]);
  });
});
