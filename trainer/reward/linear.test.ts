import { describe, expect, it } from "vitest";
import { createRng, uniformInt } from "../../stats/random";
import { readHhRlhf, splitTranscript } from "./hh-rlhf";
import { LinearRewardModel, linearObjective, linearProblem, type LinearPair } from "./linear";
import { DEFAULT_FEATURE_CONFIG, featurize, words } from "./linear-features";
import { splitByPrompt } from "./split";

const small = { ...DEFAULT_FEATURE_CONFIG, dimensions: 1 << 12 };

/** Pairs of equal-length random answers; the chosen one contains the planted word. */
function plantedPairs(count: number, seed: number): LinearPair[] {
  const rng = createRng(seed);
  const answer = () => Array.from({ length: 8 + uniformInt(rng, 9) }, () => `w${uniformInt(rng, 300)}`);
  return Array.from({ length: count }, (_, k) => {
    const [a, b] = [answer(), answer()];
    a[uniformInt(rng, a.length)] = "xylophone";
    return { prompt: `prompt ${k % 200}`, chosen: a.join(" "), rejected: b.join(" ") };
  });
}

const accuracy = (model: LinearRewardModel, pairs: LinearPair[]) =>
  pairs.filter((p) => model.score(p.prompt, p.chosen) > model.score(p.prompt, p.rejected)).length / pairs.length;

describe("linear reward model", () => {
  it("learns a planted preference to > 95% held-out accuracy", () => {
    const { train, validation } = splitByPrompt(plantedPairs(800, 1), (p) => p.prompt, { validationFraction: 0.25, seed: 2 });
    const model = LinearRewardModel.train(train, { features: small });
    expect(accuracy(model, validation)).toBeGreaterThan(0.95);
    expect(model.score("", "xylophone")).toBeGreaterThan(model.score("", "w1"));
  });

  it("has an objective gradient matching central finite differences", () => {
    const config = { features: { ...DEFAULT_FEATURE_CONFIG, dimensions: 64 }, l2: 0.05, maxIterations: 1 };
    const pairs = plantedPairs(30, 3).map((p, k) => ({ ...p, weight: 0.5 + (k % 3), margin: (k % 2) * 0.7 }));
    const problem = linearProblem(pairs, config);
    const rng = createRng(4);
    const w = Float64Array.from({ length: 64 }, () => rng() - 0.5);
    const gradient = new Float64Array(64);
    linearObjective(w, problem, gradient);
    const scratch = new Float64Array(64);
    const h = 1e-6;
    for (const i of [0, 5, 17, 40, 63]) {
      const at = (delta: number) => linearObjective(w.map((v, j) => (j === i ? v + delta : v)), problem, scratch);
      expect(gradient[i]).toBeCloseTo((at(h) - at(-h)) / (2 * h), 7);
    }
  });

  it("round-trips through JSON with identical scores and stored reward moments", () => {
    const pairs = plantedPairs(200, 5);
    const model = LinearRewardModel.train(pairs, { features: small, maxIterations: 50 });
    const loaded = LinearRewardModel.fromJSON(JSON.parse(JSON.stringify(model)));
    for (const p of pairs.slice(0, 20)) expect(loaded.score(p.prompt, p.chosen)).toBe(model.score(p.prompt, p.chosen));
    expect(loaded.rewardMean).toBe(model.rewardMean);
    expect(model.rewardStd).toBeGreaterThan(0);
    expect(() => LinearRewardModel.fromJSON({ ...model.toJSON(), version: 2 as 1 })).toThrow(/not a preflab/);
    expect(() => LinearRewardModel.train([])).toThrow(/no preference pairs/);
  });

  it("features: words are lower-cased, hashed n-grams are scaled, length is the last bucket", () => {
    expect(words("Don't STOP, me-now!")).toEqual(["don't", "stop", "me", "now"]);
    const x = featurize("a b a", small);
    expect(x.indices[x.indices.length - 1]).toBe(small.dimensions - 1);
    expect(x.values[x.values.length - 1]).toBeCloseTo(Math.log(4), 12);
    const squared = x.values.slice(0, -1).reduce((s, v) => s + v * v, 0); // 5 n-grams: a, b, a, "a b", "b a"
    expect(squared).toBeCloseTo((4 + 1 + 1 + 1) / 5, 12); // "a" twice → (±2)², unless hashes collide
  });
});

describe("HH-RLHF reader", () => {
  it("splits a transcript after the last Assistant turn", () => {
    const t = "\n\nHuman: hi\n\nAssistant: hello\n\nHuman: why?\n\nAssistant: because";
    expect(splitTranscript(t)).toEqual({ prompt: "\n\nHuman: hi\n\nAssistant: hello\n\nHuman: why?\n\nAssistant:", response: "because" });
  });

  it("reads the shipped 1,500 real pairs, and the linear model beats chance held out", () => {
    const pairs = readHhRlhf("data/hh-rlhf/harmless-base-test.part1.jsonl.gz");
    expect(pairs).toHaveLength(1500);
    expect(pairs.every((p) => p.prompt.endsWith("\n\nAssistant:") && p.chosen !== p.rejected)).toBe(true);
    const { train, validation } = splitByPrompt(pairs, (p) => p.prompt, { validationFraction: 0.2, seed: 1 });
    const model = LinearRewardModel.train(train, { features: { ...DEFAULT_FEATURE_CONFIG, dimensions: 1 << 16 } });
    expect(accuracy(model, validation)).toBeGreaterThan(0.55); // 300 pairs: chance + 1.7 s.e.
  });
});
