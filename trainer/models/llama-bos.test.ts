// A Llama checkpoint whose tokenizer starts every sequence with BOS (Llama 3's TemplateProcessing
// "<|begin_of_text|> $A"): log-probs, generation, reward transcripts and pretraining documents
// start with it, as transformers' `tokenizer(text)` does, checked against forwards over ids built
// by hand (and against PyTorch's implementation where python3-torch is installed).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preflab } from "../../bin/commands/cli.fixtures";
import { writeTempFile } from "../../db/testing";
import { initBackend } from "../backend";
import { generate } from "../generate";
import { executeGraph } from "../graph/tfjs-exec";
import { loadLanguageModel, type LanguageModel } from "../language-model";
import { computeLogprobs, textLogprobs } from "../logprobs";
import { openOnnxCheckpoint, type OnnxLanguageModel } from "../onnx/checkpoint";
import { generateFromIds, generateOnnx } from "../onnx/generate";
import { maxAbsDiff } from "../onnx/testing";
import { rewardTokens } from "../reward/scorer-tokens";
import { logSoftmaxRow } from "../sampling";
import { tokenStream } from "../train/data";
import { denseInputs } from "../train/lm-step";
import { writeTinyLlamaCheckpoint, type TinyLlamaCheckpoint } from "./llama-fixtures";
import { referenceCompletionLogprobs } from "./reference/reference-logprobs";
import { findTorchPython } from "./reference/torch-python";

const ITEMS = [
  { prompt: "a great", completion: " movie, a great cast" },
  { prompt: "", completion: "the plot was thin" }, // empty prompt: BOS alone
  { prompt: "the cast was", completion: " great but the plot was thin" },
];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("a Llama checkpoint whose tokenizer starts sequences with BOS", () => {
  const dir = join(mkdtempSync(join(tmpdir(), "preflab-llama-bos-")), "model");
  let ckpt: TinyLlamaCheckpoint;
  let bos: number;
  let model: LanguageModel;
  let onnx: OnnxLanguageModel;

  beforeAll(async () => {
    await initBackend("cpu");
    ckpt = writeTinyLlamaCheckpoint(dir, "llama", 5, {}, 0.5, "<|begin_of_text|>");
    bos = ckpt.bosId!;
    model = loadLanguageModel(dir);
    onnx = await openOnnxCheckpoint(dir, { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    await onnx?.lm.release();
    if (model) tf.dispose(Object.values(model.params));
  });

  /** Per-token log p(completion | prompt) from unbatched, unpadded forwards over the ids given: the naive reference. */
  function handScored(promptIds: number[], completionIds: number[]): number[] {
    return completionIds.map((next, k) => {
      const ids = [...promptIds, ...completionIds.slice(0, k)];
      const logits = tf.tidy(() => executeGraph(model.graph, { ...model.params, ...denseInputs([ids]) }).logits.arraySync() as number[][][]);
      return logSoftmaxRow(logits[0][ids.length - 1])[next];
    });
  }
  const withBos = (prompt: string) => [bos, ...model.tokenizer.encode(prompt)];
  const completion = (text: string) => model.tokenizer.encode(text);

  it("the tokenizer's sequence start is [BOS]; config.json and generation_config.json name that BOS, not eos", () => {
    expect(bos).not.toBe(ckpt.eosId);
    expect(model.tokenizer.sequenceStart).toEqual([bos]);
    expect(model.tokenizer.bosId).toBe(bos);
    for (const file of ["config.json", "generation_config.json"]) expect(JSON.parse(readFileSync(join(dir, file), "utf8")).bos_token_id).toBe(bos);
  });

  it("`preflab model logprobs --input` scores each completion given [BOS, prompt], as PyTorch does on those ids", async () => {
    const file = writeTempFile("items.jsonl", ITEMS.map((item) => JSON.stringify(item)).join("\n"));
    const out = await preflab(null, ["model", "logprobs", "--model", dir, "--input", file, "--batch-size", "2"]);
    expect(out.code, out.stderr).toBe(0);
    const got = out.stdout.trim().split("\n").map((line) => JSON.parse(line) as { logprob: number; tokens: number });
    const want = ITEMS.map((item) => sum(handScored(withBos(item.prompt), completion(item.completion))));
    const gpt2Style = ITEMS.map((item) => sum(handScored(item.prompt ? completion(item.prompt) : [ckpt.eosId], completion(item.completion))));
    expect(got.map((g) => g.tokens)).toEqual(ITEMS.map((item) => completion(item.completion).length));
    expect(maxAbsDiff(got.map((g) => g.logprob), want)).toBeLessThan(2e-4);
    // The BOS matters: without it every score moves by far more than the tolerance.
    expect(Math.min(...want.map((w, i) => Math.abs(w - gpt2Style[i]!)))).toBeGreaterThan(1e-2);
    const torch = findTorchPython();
    if (!torch.available) return console.warn(`llama-bos.test.ts: PyTorch comparison skipped: ${torch.reason}`);
    const exact = await referenceCompletionLogprobs(dir, ITEMS.map((item) => ({ promptIds: withBos(item.prompt), completionIds: completion(item.completion) })), { double: true });
    expect(maxAbsDiff(got.map((g) => g.logprob), exact.map((e) => e.logprob))).toBeLessThan(2e-4);
  });

  it("tfjs log-probs (DPO's computeLogprobs, the CLI's --text) condition on BOS too", () => {
    const got = computeLogprobs(model, ITEMS);
    const want = ITEMS.map((item) => handScored(withBos(item.prompt), completion(item.completion)));
    got.forEach((g, i) => expect(maxAbsDiff(g.logprobs, want[i]!)).toBeLessThan(1e-4));
    const text = textLogprobs(model, "the plot was thin");
    expect(text.tokenIds).toEqual(withBos("the plot was thin"));
    expect(text.logprobs[0]).toBeNull();
    expect(maxAbsDiff(text.logprobs.slice(1) as number[], handScored([bos], completion("the plot was thin")))).toBeLessThan(1e-4);
  });

  it("generation continues [BOS, prompt]: ONNX and tfjs greedy equal ONNX greedy from hand-built ids", async () => {
    const options = { temperature: 0, maxNewTokens: 5, stop: [] };
    const [byHand] = await generateFromIds(onnx.lm, [withBos("the cast was")], onnx.tokenizer, options);
    const [viaOnnx] = await generateOnnx(onnx, ["the cast was"], options);
    const [viaTfjs] = generate(model, ["the cast was"], options);
    expect(viaOnnx!.tokenIds).toEqual(byHand!.tokenIds);
    expect(viaOnnx!.logprobs).toEqual(byHand!.logprobs);
    expect(viaTfjs!.tokenIds).toEqual(byHand!.tokenIds);
    expect(maxAbsDiff(viaTfjs!.logprobs, byHand!.logprobs)).toBeLessThan(1e-4);
    expect(byHand!.logprobs[0]).toBeCloseTo(handScored(withBos("the cast was"), byHand!.tokenIds.slice(0, 1))[0]!, 4);
  });

  it("reward transcripts and pretraining documents start with BOS; documents end with eos", () => {
    expect(rewardTokens(model.tokenizer, "a great", "movie")).toEqual([bos, ...model.tokenizer.encode("a great\nmovie"), ckpt.eosId]);
    expect(Array.from(tokenStream(["a great movie", "the cast"], model.tokenizer))).toEqual([bos, ...completion("a great movie"), ckpt.eosId, bos, ...completion("the cast"), ckpt.eosId]);
  });
});
