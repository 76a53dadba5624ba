import { describe, expect, it } from "vitest";
import { heldOutCorrelation, loadRatedSnippets, movieSentimentScorer, parseRatedSnippets, pearson } from "./sentiment-scorer";

describe("sentiment scorer fitted on the movie-review ratings", () => {
  it("parses id, mean rating and text", () => {
    expect(parseRatedSnippets("3\t-0.6\tEffective but too tepid biopic\r\n\n")).toEqual([{ id: 3, rating: -0.6, text: "Effective but too tepid biopic" }]);
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
  });

  it("predicts held-out snippets' mean human rating (Pearson r ≈ 0.69 on a seeded 20% split)", () => {
    const { r, test } = heldOutCorrelation(loadRatedSnippets());
    expect(test).toBe(2121);
    expect(r).toBeGreaterThan(0.66);
  });

  it("scores any text, the policy's imperfect English included: higher = more positive", () => {
    const s = movieSentimentScorer();
    expect(s.score("a wonderful , moving and funny film")).toBeGreaterThan(1);
    expect(s.score("dull , boring and a mess")).toBeLessThan(-1);
    expect(s.score("the film is the the film is a story of")).toBeGreaterThan(s.score("the film is the the film is a bore of"));
    expect(Number.isFinite(s.score(""))).toBe(true);
  });
});
