import { describe, expect, it } from "vitest";
import { lmRunConfigSchema } from "./lm-run-config";

describe("language-model run config", () => {
  it("parses {} into a runnable default (the dashboard shows it) and rejects data without text", () => {
    const defaults = lmRunConfigSchema.parse({});
    expect(defaults.data).toEqual({ file: "data/movie-reviews/movieReviewSnippets_GroundTruth.txt", format: "movie-reviews" });
    expect(defaults.model).toEqual({ nLayer: 4, nEmbd: 128, nHead: 4, context: 64, vocabSize: 2048 });
    expect(lmRunConfigSchema.safeParse({ data: {} }).success).toBe(false);
    expect(lmRunConfigSchema.safeParse({ train: { batchSize: 0 } }).success).toBe(false);
  });
});
