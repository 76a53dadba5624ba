// The ONNX Runtime path against the TensorFlow.js path on whole checkpoints: same text in, same
// log-probs and the same generations out (trainer/logprobs.ts and trainer/generate.ts are the
// references). Runs on tiny random GPT-2, Llama and Qwen2 checkpoints always, and on models/builtin when it exists.
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "../generate";
import { disposeLanguageModel, loadLanguageModel, type LanguageModel } from "../language-model";
import { computeLogprobs, textLogprobs } from "../logprobs";
import { onnxLanguageModelFromWeights, openOnnxCheckpoint, type OnnxLanguageModel } from "./checkpoint";
import { generateOnnx } from "./generate";
import { computeLogprobsOnnx, textLogprobsOnnx } from "./logprobs";
import { writeTinyLlamaCheckpoint } from "../models/llama-fixtures";
import { maxAbsDiff, writeTinyCheckpoint } from "./testing";

const root = mkdtempSync(join(tmpdir(), "preflab-parity-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const BUILTIN = "models/builtin";
const cases: Array<{ name: string; prepare: (dir: string) => void }> = [
  { name: "tiny random GPT-2", prepare: (dir) => writeTinyCheckpoint(dir, 6) },
  { name: "tiny random Llama", prepare: (dir) => writeTinyLlamaCheckpoint(dir, "llama", 6) },
  { name: "tiny random Qwen2", prepare: (dir) => writeTinyLlamaCheckpoint(dir, "qwen2", 6) },
];
// Copied so the ONNX export lands in a temporary directory, never in the repository.
if (existsSync(join(BUILTIN, "config.json"))) cases.push({ name: "built-in policy", prepare: (dir) => cpSync(BUILTIN, dir, { recursive: true }) });

describe("ONNX from in-memory weights", () => {
  it("a tfjs parameter set exported on the fly gives the tfjs model's log-probs", async () => {
    await tf.setBackend("cpu");
    const dir = join(root, "in-memory");
    writeTinyCheckpoint(dir, 8);
    const tfModel = loadLanguageModel(dir);
    const onnxModel = await onnxLanguageModelFromWeights(tfModel.config, tfModel.tokenizer, (n) => tfModel.params[n].dataSync() as Float32Array, { intraOpNumThreads: 1 });
    const items = [{ prompt: "the cast", completion: " was great" }];
    const [want] = computeLogprobs(tfModel, items);
    const [got] = await computeLogprobsOnnx(onnxModel, items);
    expect(maxAbsDiff(got.logprobs, want.logprobs)).toBeLessThan(1e-4);
    expect(existsSync(join(dir, "onnx"))).toBe(false);
    disposeLanguageModel(tfModel);
    await onnxModel.lm.release();
  });
});

describe.each(cases)("ONNX vs tfjs on the $name", ({ name, prepare }) => {
  let tfModel: LanguageModel;
  let onnxModel: OnnxLanguageModel;
  beforeAll(async () => {
    await tf.setBackend("cpu");
    const dir = join(root, name.replace(/\W+/g, "-"));
    prepare(dir);
    tfModel = loadLanguageModel(dir);
    onnxModel = await openOnnxCheckpoint(dir, { intraOpNumThreads: 1 });
  });
  afterAll(async () => {
    disposeLanguageModel(tfModel);
    await onnxModel.lm.release();
  });

  it("completion log-probs agree within 1e-4, including an empty prompt", async () => {
    const items = [
      { prompt: "the plot was", completion: " thin but great" },
      { prompt: "", completion: "a great cast" },
      { prompt: "a great movie", completion: "," },
    ];
    const want = computeLogprobs(tfModel, items);
    const got = await computeLogprobsOnnx(onnxModel, items, 2);
    got.forEach((g, i) => {
      expect(g.tokenIds).toEqual(want[i].tokenIds);
      expect(maxAbsDiff(g.logprobs, want[i].logprobs)).toBeLessThan(1e-4);
      expect(Math.abs(g.total - want[i].total)).toBeLessThan(1e-4 * g.logprobs.length);
    });
  });

  it("text log-probs agree token by token (first token null)", async () => {
    const want = textLogprobs(tfModel, "the cast was great, the plot was thin");
    const got = await textLogprobsOnnx(onnxModel, "the cast was great, the plot was thin");
    expect(got.tokens).toEqual(want.tokens);
    expect(got.logprobs[0]).toBeNull();
    expect(maxAbsDiff(got.logprobs.slice(1) as number[], want.logprobs.slice(1) as number[])).toBeLessThan(1e-4);
  });

  it("greedy generation (with and without cache) and seeded sampling give tfjs's tokens", async () => {
    const prompts = ["the plot", "a great movie, a", ""];
    for (const options of [{ temperature: 0, useCache: true }, { temperature: 0, useCache: false }, { temperature: 1, topK: 20, seed: 5, useCache: true }]) {
      const want = generate(tfModel, prompts, { maxNewTokens: 6, ...options });
      const got = await generateOnnx(onnxModel, prompts, { maxNewTokens: 6, ...options });
      got.forEach((g, i) => {
        expect(g.tokenIds).toEqual(want[i].tokenIds);
        expect(g.text).toBe(want[i].text);
        expect(g.finishReason).toBe(want[i].finishReason);
        expect(maxAbsDiff(g.logprobs, want[i].logprobs)).toBeLessThan(1e-4);
      });
    }
  });
});
