import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend";
import { InputError } from "./errors";
import { executeGraph } from "./graph/tfjs-exec";
import type { LanguageModel } from "./language-model";
import { computeLogprobs, textLogprobs } from "./logprobs";
import { logSoftmaxRow } from "./sampling";
import { tinyLanguageModel } from "./test-fixtures";
import { denseInputs } from "./train/lm-step";

/** log p(next | ids) by running the unbatched, unpadded prefix: the naive reference. */
function naiveNext(model: LanguageModel, ids: number[], next: number): number {
  const logits = tf.tidy(() => executeGraph(model.graph, { ...model.params, ...denseInputs([ids]) }).logits.arraySync() as number[][][]);
  return logSoftmaxRow(logits[0][ids.length - 1])[next];
}

describe("log-probs", () => {
  let model: LanguageModel;
  beforeAll(async () => {
    await initBackend("cpu");
    model = tinyLanguageModel(2);
  });

  it("batched, padded completion log-probs equal a naive per-token loop", () => {
    const items = [
      { prompt: "the movie was", completion: " great" },
      { prompt: "a", completion: " great cast and a weak plot" },
      { prompt: "", completion: "what a film!" },
    ];
    const got = computeLogprobs(model, items, 2);
    items.forEach((item, i) => {
      const prompt = model.tokenizer.encode(item.prompt);
      const context = prompt.length ? prompt : [model.tokenizer.eosId];
      const completion = model.tokenizer.encode(item.completion);
      expect(got[i].tokenIds).toEqual(completion);
      const want = completion.map((id, j) => naiveNext(model, [...context, ...completion.slice(0, j)], id));
      got[i].logprobs.forEach((lp, j) => expect(lp).toBeCloseTo(want[j], 4));
      expect(got[i].total).toBeCloseTo(want.reduce((a, v) => a + v, 0), 3);
    });
  });

  it("text log-probs start with null and score each token given the ones before", () => {
    const out = textLogprobs(model, "the film was not good");
    expect(out.logprobs[0]).toBeNull();
    expect(out.tokens.join("")).toBe("theĠfilmĠwasĠnotĠgood");
    out.tokenIds.slice(1).forEach((id, j) => expect(out.logprobs[j + 1]).toBeCloseTo(naiveNext(model, out.tokenIds.slice(0, j + 1), id), 4));
  });

  it("rejects a prompt + completion longer than the context with an InputError", () => {
    const long = "the movie was great ".repeat(20);
    expect(() => computeLogprobs(model, [{ prompt: long, completion: "!" }])).toThrow(InputError);
    expect(() => computeLogprobs(model, [{ prompt: long, completion: "!" }])).toThrow(/longer than the model's context of 32/);
  });
});
