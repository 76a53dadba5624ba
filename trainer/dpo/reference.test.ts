import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { disposeLanguageModel, loadLanguageModel, type LanguageModel } from "../language-model";
import { completionLogprobTensor, type LogprobBatch } from "../logprobs";
import { openOnnxCheckpoint } from "../onnx/checkpoint";
import { writeTinyCheckpoint } from "../onnx/testing";
import { weightHalves, writeShardedCopy } from "../checkpoint/testing";
import { referenceCacheKey, referenceLogprobs, type TokenizedCompletion } from "./reference";
import { contextLength } from "../models/model-config";

// The real ONNX opener, counted: a cache hit must not open the model at all.
vi.mock("../onnx/checkpoint", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../onnx/checkpoint")>();
  return { ...actual, openOnnxCheckpoint: vi.fn(actual.openOnnxCheckpoint) };
});
/** Models opened since the last call. */
const openedSince = (() => {
  let seen = 0;
  return () => {
    const calls = vi.mocked(openOnnxCheckpoint).mock.calls.length;
    const n = calls - seen;
    seen = calls;
    return n;
  };
})();

const root = mkdtempSync(join(tmpdir(), "preflab-reference-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The tfjs reference on the same ids: prompt ++ completion right-padded, masked to the completion, summed. */
function tfjsTotals(model: LanguageModel, items: TokenizedCompletion[]): number[] {
  const seq = Math.max(2, ...items.map((it) => it.promptIds.length + it.completionIds.length));
  const eos = model.tokenizer.eosId;
  const batch: LogprobBatch = {
    ids: items.map((it) => [...it.promptIds, ...it.completionIds, ...Array(seq - it.promptIds.length - it.completionIds.length).fill(eos)]),
    attention: items.map((it) => Array.from({ length: seq }, (_, t) => (t < it.promptIds.length + it.completionIds.length ? 1 : 0))),
    completionMask: items.map((it) => Array.from({ length: seq - 1 }, (_, t) => (t + 1 >= it.promptIds.length && t + 1 < it.promptIds.length + it.completionIds.length ? 1 : 0))),
    completionIds: items.map((it) => it.completionIds),
  };
  return tf.tidy(() => tf.sum(completionLogprobTensor(model, batch), 1).arraySync() as number[]);
}

function encode(model: LanguageModel, pairs: Array<[string, string]>): TokenizedCompletion[] {
  return pairs.map(([prompt, completion]) => ({ promptIds: prompt ? model.tokenizer.encode(prompt) : [model.tokenizer.eosId], completionIds: model.tokenizer.encode(completion) }));
}

const PAIRS: Array<[string, string]> = [
  ["the plot was", " thin but great"],
  ["", "a great cast"],
  ["a great movie,", " a great cast"],
  ["the cast", ""],
  ["the", " plot was thin"],
];

describe("reference log-probs on a tiny random checkpoint", () => {
  const dir = join(root, "tiny");
  let model: LanguageModel;
  let items: TokenizedCompletion[];
  beforeAll(async () => {
    await tf.setBackend("cpu");
    writeTinyCheckpoint(dir, 3);
    model = loadLanguageModel(dir);
    items = encode(model, PAIRS);
  });
  afterAll(() => disposeLanguageModel(model));
  beforeEach(() => void openedSince());

  it("equal the tfjs completion sums on the same ids within 1e-4, in the items' order, with progress per batch", async () => {
    const progress: Array<[number, number]> = [];
    const got = await referenceLogprobs(dir, items, { batchSize: 2, onProgress: (d, t) => progress.push([d, t]) });
    const want = tfjsTotals(model, items);
    expect(got).toBeInstanceOf(Float64Array);
    expect(got).toHaveLength(items.length);
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-4));
    expect(got[3]).toBe(0); // an empty completion has probability 1
    expect(progress).toEqual([[2, 5], [4, 5], [5, 5]]);
  });

  it("a second call reads the cache without opening the model, and returns exactly the computed values", async () => {
    const cacheDir = join(root, "cache-hit");
    const fresh = await referenceLogprobs(dir, items, { cacheDir });
    expect(openedSince()).toBe(1);
    expect(readdirSync(cacheDir)).toEqual([`reference-logprobs-${await referenceCacheKey(dir, items)}.f64`]);
    const cached = await referenceLogprobs(dir, items, { cacheDir });
    expect(openedSince()).toBe(0);
    expect(cached).toEqual(fresh);
    expect(await referenceLogprobs(dir, items)).toEqual(fresh); // and the computation is deterministic
  });

  it("a truncated or corrupt cache file is ignored, recomputed and rewritten", async () => {
    const cacheDir = join(root, "cache-corrupt");
    const fresh = await referenceLogprobs(dir, items, { cacheDir });
    const file = join(cacheDir, readdirSync(cacheDir)[0]);
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3] ^= 0x40; // one bit of the last value
    for (const damage of [() => truncateSync(file, good.length - 8), () => writeFileSync(file, flipped), () => writeFileSync(file, "")]) {
      damage();
      openedSince();
      expect(await referenceLogprobs(dir, items, { cacheDir })).toEqual(fresh);
      expect(openedSince()).toBe(1);
      expect(readFileSync(file).equals(good)).toBe(true);
    }
  });

  it("the key follows the content: one changed token or other weights change it, a copied directory keeps it", async () => {
    const key = await referenceCacheKey(dir, items);
    const changed = items.map((it, i) => (i === 2 ? { ...it, completionIds: [...it.completionIds.slice(0, -1), it.completionIds.at(-1)! + 1] } : it));
    expect(await referenceCacheKey(dir, changed)).not.toBe(key);
    // Same ids, cut differently between prompt and completion: a different quantity.
    const moved = items.map((it, i) => (i === 0 ? { promptIds: [...it.promptIds, it.completionIds[0]], completionIds: it.completionIds.slice(1) } : it));
    expect(await referenceCacheKey(dir, moved)).not.toBe(key);
    const copy = join(root, "tiny-copy");
    cpSync(dir, copy, { recursive: true });
    expect(await referenceCacheKey(copy, items)).toBe(key);
    writeTinyCheckpoint(copy, 4);
    expect(await referenceCacheKey(copy, items)).not.toBe(key);
  });

  it("a sharded policy keys on its index and every shard, and gives the single-file copy's values", async () => {
    const sharded = writeShardedCopy(dir, join(root, "tiny-sharded"), weightHalves(dir));
    const key = await referenceCacheKey(sharded, items);
    const got = await referenceLogprobs(sharded, items, { cacheDir: join(root, "cache-sharded") });
    const want = await referenceLogprobs(dir, items);
    got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-6));
    // Other weights in the second shard only: another key.
    const [first, second] = weightHalves(dir);
    const name = Object.keys(second)[0];
    writeShardedCopy(dir, sharded, [first, { ...second, [name]: { ...second[name], data: second[name].data.map((v) => v + 1) } }]);
    expect(await referenceCacheKey(sharded, items)).not.toBe(key);
  });

  it("names the item with an empty prompt or past the context, before any forward pass", async () => {
    await expect(referenceLogprobs(dir, [items[0], { promptIds: [], completionIds: [1] }])).rejects.toThrow(/reference item 1: empty prompt/);
    await expect(referenceLogprobs(dir, [{ promptIds: [1], completionIds: new Array(contextLength(model.config)).fill(2) }])).rejects.toThrow(/reference item 0: 25 tokens, longer than the model's context of 24/);
    expect(await referenceLogprobs(dir, [])).toEqual(new Float64Array(0));
  });
});

const BUILTIN = "models/builtin";
describe.runIf(existsSync(join(BUILTIN, "config.json")))("reference log-probs on the built-in policy", () => {
  it("equal tfjs on the same ids within 1e-4", async () => {
    await tf.setBackend("cpu");
    const dir = join(root, "builtin");
    cpSync(BUILTIN, dir, { recursive: true }); // the ONNX export lands here, never in the repository
    const model = loadLanguageModel(dir);
    const items = encode(model, [["The film is", " a quiet, moving portrait of a family."], ["", "Dull and far too long."]]);
    const got = await referenceLogprobs(dir, items);
    tfjsTotals(model, items).forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-4));
    disposeLanguageModel(model);
  });
});
