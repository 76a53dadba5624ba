import { beforeAll, describe, expect, it } from "vitest";
import { createRng, uniformInt } from "./random";
import { createSimulatedAnnotator, preferenceProbabilities, simulatePreference } from "./simulated-annotator";
import { loadMovieRatings, parseMovieRatings, type SnippetRatings } from "./simulated-annotator-ratings";

let snippets: SnippetRatings[];
beforeAll(() => {
  snippets = loadMovieRatings();
});

describe("parseMovieRatings", () => {
  it("parses id, mean, sd and the rating list, and rejects malformed lines", () => {
    const [s] = parseMovieRatings("7\t-0.5\t0.5\t[-1, 0]\n\n");
    expect(s).toEqual({ id: 7, mean: -0.5, sd: 0.5, ratings: [-1, 0] });
    expect(() => parseMovieRatings("7\t0\t0\t-1, 0")).toThrow(/line 1/);
    expect(() => parseMovieRatings("7\t0\t0\t[5, 0]")).toThrow(/-4..4/);
  });
});

describe("preferenceProbabilities", () => {
  it("counts every pair of ratings, by hand", () => {
    // left [1, 3, 2] vs right [2, 2]: 6 pairs; 1<2 twice → right; 3>2 twice → left;
    // 2=2 twice → tie. Each outcome 2/6.
    expect(preferenceProbabilities([1, 3, 2], [2, 2])).toEqual({ left: 1 / 3, right: 1 / 3, tie: 1 / 3 });
    expect(preferenceProbabilities([4], [-4])).toEqual({ left: 1, right: 0, tie: 0 });
  });

  it("is symmetric: swapping sides swaps left and right", () => {
    const [a, b] = [snippets[0].ratings, snippets[2].ratings];
    const ab = preferenceProbabilities(a, b);
    const ba = preferenceProbabilities(b, a);
    expect(ab.left).toBeCloseTo(ba.right, 15);
    expect(ab.tie).toBeCloseTo(ba.tie, 15);
  });
});

describe("simulatePreference", () => {
  it("matches the empirical probabilities on real snippet pairs (within 4.5 standard errors)", () => {
    const rng = createRng(2024);
    const draws = 20000;
    for (const [i, j] of [[0, 2], [2, 60], [60, 61], [100, 5000]]) {
      const [a, b] = [snippets[i].ratings, snippets[j].ratings];
      const exact = preferenceProbabilities(a, b);
      const seen = { left: 0, right: 0, tie: 0 };
      for (let t = 0; t < draws; t++) seen[simulatePreference(a, b, rng).outcome] += 1;
      for (const k of ["left", "right", "tie"] as const) {
        const se = Math.sqrt((exact[k] * (1 - exact[k])) / draws);
        expect(Math.abs(seen[k] / draws - exact[k])).toBeLessThanOrEqual(4.5 * se + 1e-12);
      }
    }
  });

  it("matches the dataset-wide preference rate over random pairs of snippets", () => {
    // Mean over 20,000 random snippet pairs of the exact P(left wins) vs the simulated rate.
    const rng = createRng(77);
    let exactLeft = 0;
    let simulatedLeft = 0;
    const pairs = 20000;
    for (let t = 0; t < pairs; t++) {
      const a = snippets[uniformInt(rng, snippets.length)].ratings;
      const b = snippets[uniformInt(rng, snippets.length)].ratings;
      exactLeft += preferenceProbabilities(a, b).left / pairs;
      simulatedLeft += (simulatePreference(a, b, rng).outcome === "left" ? 1 : 0) / pairs;
    }
    // The simulated rate is a Bernoulli mean: SE <= 0.5 / sqrt(20000) ≈ 0.0035.
    expect(Math.abs(simulatedLeft - exactLeft)).toBeLessThan(0.016);
  });

  it("grades strength by the rating gap and gives none for a tie", () => {
    const one = () => 0; // always picks the first rating
    expect(simulatePreference([2], [1], one)).toMatchObject({ outcome: "left", strength: 1 });
    expect(simulatePreference([-1], [3], one)).toMatchObject({ outcome: "right", strength: 2 });
    expect(simulatePreference([4], [-1], one)).toMatchObject({ outcome: "left", strength: 3 });
    expect(simulatePreference([0], [0], one)).toMatchObject({ outcome: "tie", strength: null });
  });
});

describe("createSimulatedAnnotator", () => {
  it("is reproducible per seed and judges by snippet id", () => {
    const run = (seed: number) => {
      const annotator = createSimulatedAnnotator(snippets, seed);
      return Array.from({ length: 50 }, (_, t) => annotator.judge(1 + t, 2 + t).outcome).join(",");
    };
    expect(run(5)).toBe(run(5));
    expect(run(5)).not.toBe(run(6));
    // Snippet 2's lowest rating (2) beats snippet 3's highest (1): always left.
    expect(createSimulatedAnnotator(snippets, 1).judge(2, 3).outcome).toBe("left");
    expect(() => createSimulatedAnnotator(snippets, 1).judge(1, 999999)).toThrow(/999999/);
  });
});
