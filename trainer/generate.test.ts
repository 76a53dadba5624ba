import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { generate } from "./generate";
import type { LanguageModel } from "./language-model";
import { filteredDistribution, sampleToken } from "./sampling";
import { tinyLanguageModel } from "./test-fixtures";

describe("generation", () => {
  let model: LanguageModel;
  beforeAll(async () => {
    await initBackend("cpu");
    model = tinyLanguageModel(3);
  });

  it("top-p keeps the smallest head reaching p and renormalizes; top-k 1 is greedy", () => {
    const logits = [Math.log(0.5), Math.log(0.2), Math.log(0.3)];
    const d = filteredDistribution(logits, { temperature: 1, topK: 0, topP: 0.7 });
    expect(d.ids).toEqual([0, 2]);
    d.probs.forEach((p, i) => expect(p).toBeCloseTo([0.625, 0.375][i], 10));
    expect(sampleToken(logits, { temperature: 1, topK: 1, topP: 1 }, Math.random)).toBe(0);
    expect(sampleToken([1, 3, 2], { temperature: 0, topK: 0, topP: 1 }, Math.random)).toBe(1);
  });

  it("greedy decoding gives identical tokens with and without the KV cache, batched with left padding", () => {
    const prompts = ["the movie", "a great cast and a", ""];
    const greedy = { temperature: 0, maxNewTokens: 8 };
    const cached = generate(model, prompts, { ...greedy, useCache: true });
    const full = generate(model, prompts, { ...greedy, useCache: false });
    const single = prompts.map((p) => generate(model, [p], { ...greedy, useCache: true })[0]);
    cached.forEach((g, i) => {
      expect(g.tokenIds).toEqual(full[i].tokenIds);
      expect(g.tokenIds).toEqual(single[i].tokenIds);
      g.logprobs.forEach((lp, j) => expect(lp).toBeCloseTo(full[i].logprobs[j], 4));
    });
    expect(cached.some((g) => g.tokenIds.length > 0)).toBe(true);
  });

  it("sampling is reproducible from the seed, stop strings cut the text, tensors are freed", () => {
    const before = tf.memory().numTensors;
    const opts = { temperature: 1.5, topP: 0.95, maxNewTokens: 12, seed: 42 };
    const a = generate(model, ["the", "the"], opts);
    const b = generate(model, ["the", "the"], opts);
    expect(a).toEqual(b);
    expect(tf.memory().numTensors).toBe(before);
    // The stop: two printable ASCII characters after the first one of the uncut text. ASCII bytes
    // decode the same at every step, so the cut run must stop right where they first appear.
    // Asserted rather than assumed, so the case can never be skipped.
    const text = a[0].text;
    const at = text.slice(1).search(/[!-~]{2}/) + 1;
    expect(at, JSON.stringify(text)).toBeGreaterThan(0);
    const stop = text.slice(at, at + 2);
    const cut = generate(model, ["the", "the"], { ...opts, stop: [stop] })[0]; // same batch: same random stream
    expect(cut.finishReason).toBe("stop");
    expect(cut.text).toBe(text.slice(0, text.indexOf(stop)));
    expect(cut.text.length).toBeGreaterThan(0);
    expect(a[0].tokenIds.slice(0, cut.tokenIds.length)).toEqual(cut.tokenIds);
  });

  it("clamps the budget to the context and reports why generation ended", () => {
    const out = generate(model, ["the movie was great ".repeat(3)], { temperature: 0, maxNewTokens: 1000 });
    const promptLength = model.tokenizer.encode("the movie was great ".repeat(3)).length;
    expect(out[0].tokenIds.length).toBeLessThanOrEqual(32 - promptLength);
    expect(["eos", "length"]).toContain(out[0].finishReason);
  });
});
