import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { executeGraph } from "../graph/tfjs-exec";
import { buildGpt2Graph, type Gpt2Config } from "../models/gpt2";
import { initParams } from "../models/params";
import { toTokenizerJson } from "../tokenizer/tokenizer-json";
import { trainBpe } from "../tokenizer/train-bpe";
import { denseInputs } from "../train/lm-step";
import { readSafetensors, writeSafetensors } from "./safetensors";
import { expectCheckpointError } from "./testing";
import { loadCheckpoint, paramsToRaw, saveCheckpoint } from "./tfjs";

const tokenizerJson = toTokenizerJson(trainBpe(["a tiny corpus for a tiny tokenizer"], 270));
const config: Gpt2Config = {
  model_type: "gpt2", n_layer: 1, n_head: 2, n_embd: 8, n_positions: 16, vocab_size: 270,
  layer_norm_epsilon: 1e-5, activation_function: "gelu_new",
};
const root = mkdtempSync(join(tmpdir(), "preflab-ckpt-"));
let n = 0;

function saveTiny(seed = 1): string {
  const dir = join(root, `c${n++}`);
  const params = initParams(buildGpt2Graph(config), seed);
  saveCheckpoint(dir, { config, params, tokenizerJson, eosId: 269 });
  return dir;
}

const expectError = (dir: string, file: string, problem: RegExp) => expectCheckpointError(() => loadCheckpoint(dir), join(dir, file), problem);

describe("checkpoints", () => {
  beforeAll(async () => { await initBackend("cpu"); });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("safetensors round-trips values and shapes, data 8-byte aligned; F16 decodes", () => {
    const bytes = writeSafetensors({ b: { shape: [3], data: Float32Array.from([1.5, -2, 1e-8]) }, a: { shape: [1, 1], data: Float32Array.from([7]) } });
    expect((8 + Number(bytes.readBigUInt64LE(0))) % 8).toBe(0);
    const { tensors } = readSafetensors(bytes);
    expect(Array.from(tensors.b.data)).toEqual(Array.from(Float32Array.from([1.5, -2, 1e-8])));
    expect(tensors.a.shape).toEqual([1, 1]);
    const header = Buffer.from(JSON.stringify({ h: { dtype: "F16", shape: [2], data_offsets: [0, 4] } }));
    const f16 = Buffer.concat([Buffer.alloc(8), header, Buffer.from([0x00, 0x3c, 0x00, 0xc0])]);
    f16.writeBigUInt64LE(BigInt(header.length), 0);
    expect(Array.from(readSafetensors(f16).tensors.h.data)).toEqual([1, -2]);
  });

  it("save → load gives identical logits and the HF files", () => {
    const dir = join(root, "roundtrip");
    const graph = buildGpt2Graph(config);
    const params = initParams(graph, 9);
    saveCheckpoint(dir, { config, params, tokenizerJson, eosId: 269 });
    const loaded = loadCheckpoint(dir);
    const logits = (p: Record<string, tf.Tensor>) => executeGraph(graph, { ...p, ...denseInputs([[1, 2, 3]]) }).logits.arraySync();
    expect(logits(loaded.params)).toEqual(logits(params));
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).architectures).toEqual(["GPT2LMHeadModel"]);
    expect(loaded.tokenizer.decode(loaded.tokenizer.encode("a tiny corpus"))).toBe("a tiny corpus");
  });

  it("loads GPT2Model-style files (no transformer. prefix, extra attn.bias buffers)", () => {
    const dir = saveTiny();
    const raw = paramsToRaw(loadCheckpoint(dir).params);
    const renamed = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.replace("transformer.", ""), v]));
    renamed["h.0.attn.bias"] = { shape: [1], data: Float32Array.from([1]) };
    writeFileSync(join(dir, "model.safetensors"), writeSafetensors(renamed));
    expect(Array.from(loadCheckpoint(dir).params["transformer.wte.weight"].dataSync())).toEqual(Array.from(raw["transformer.wte.weight"].data));
  });

  it("names the file and the problem for bad checkpoints", () => {
    const missing = saveTiny();
    rmSync(join(missing, "config.json"));
    expectError(missing, "config.json", /is missing/);
    const mistral = saveTiny();
    writeFileSync(join(mistral, "config.json"), JSON.stringify({ model_type: "mistral" }));
    expectError(mistral, "config.json", /unsupported architecture model_type=mistral \(supported: gpt2, llama, qwen2\)/);
    const wide = saveTiny();
    writeFileSync(join(wide, "config.json"), JSON.stringify({ ...config, n_embd: 16 }));
    expectError(wide, "model.safetensors", /transformer.wte.weight has shape \[270,8\], config.json implies \[270,16\]/);
    const small = saveTiny();
    writeFileSync(join(small, "config.json"), JSON.stringify({ ...config, vocab_size: 100 }));
    expectError(small, "model.safetensors", /shape/);
    const noWeights = saveTiny();
    rmSync(join(noWeights, "model.safetensors"));
    expectError(noWeights, "model.safetensors", /is missing/);
    const corrupt = saveTiny();
    writeFileSync(join(corrupt, "model.safetensors"), Buffer.from([255, 255, 0, 0, 0, 0, 0, 0, 1]));
    expectError(corrupt, "model.safetensors", /header length/);
  });

  it("rejects a tokenizer with more ids than the model's vocabulary", () => {
    const dir = saveTiny();
    const big = toTokenizerJson(trainBpe(["a tiny corpus for a tiny tokenizer, but with more merges merges merges"], 300)) as { model: { vocab: Record<string, number> } };
    big.model.vocab["extra"] = 400;
    writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(big));
    expectError(dir, "tokenizer.json", /token ids but config.json vocab_size is 270/);
  });
});
