// Llama-family checkpoint directories: config.json parsing (transformers' defaults, what is
// refused), half-precision weights, and the round trip through a training step.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { executeGraph } from "../graph/tfjs-exec";
import { writeTinyLlamaCheckpoint } from "../models/llama-fixtures";
import { buildModelGraph } from "../models/model-config";
import { denseInputs, trainStep } from "../train/lm-step";
import { AdamW } from "../train/optimizer";
import { checkpointSetup, disposeSetup } from "../train/setup";
import { parseModelConfig } from "./config";
import { CheckpointError } from "./errors";
import { readCheckpoint } from "./read";
import { readSafetensors, type RawTensor } from "./safetensors";
import { loadCheckpoint, saveCheckpoint } from "./tfjs";

const root = mkdtempSync(join(tmpdir(), "preflab-llama-ckpt-"));
let n = 0;
const fresh = () => join(root, `c${n++}`);

/** A safetensors file storing every tensor as BF16 (the top 16 bits of each float32, truncated). */
function bf16Safetensors(tensors: Record<string, RawTensor>): Buffer {
  const header: Record<string, unknown> = {};
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = Buffer.alloc(t.data.length * 2);
    const bits = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    bits.forEach((b, i) => bytes.writeUInt16LE(b >>> 16, i * 2));
    header[name] = { dtype: "BF16", shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, ...parts]);
}

function expectConfigError(raw: object, problem: RegExp) {
  expect(() => parseModelConfig(raw, "config.json")).toThrow(CheckpointError);
  expect(() => parseModelConfig(raw, "config.json")).toThrow(problem);
}

describe("Llama-family checkpoints", () => {
  beforeAll(async () => { await initBackend("cpu"); });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("config.json fills transformers' defaults per model_type (or architectures) and refuses what the graph does not model", () => {
    const qwen = parseModelConfig({ architectures: ["Qwen2ForCausalLM"], num_attention_heads: 8, hidden_size: 64 });
    expect(qwen).toMatchObject({ model_type: "qwen2", vocab_size: 151936, num_key_value_heads: 8, max_position_embeddings: 32768, tie_word_embeddings: false, rope_scaling: null });
    const llama = parseModelConfig({ model_type: "llama", rope_scaling: { rope_type: "llama3", factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } });
    expect(llama).toMatchObject({ vocab_size: 32000, num_key_value_heads: 32, rms_norm_eps: 1e-6, rope_theta: 10000, attention_bias: false });
    expect(parseModelConfig({ model_type: "llama", rope_scaling: { type: "default" } })).toMatchObject({ rope_scaling: null });
    expectConfigError({ model_type: "llama", rope_scaling: { rope_type: "yarn", factor: 4 } }, /unsupported rope_scaling type "yarn" \(supported: default, linear, llama3\)/);
    expectConfigError({ model_type: "llama", rope_scaling: { rope_type: "llama3", factor: 8 } }, /rope_scaling.low_freq_factor must be a positive number/);
    expectConfigError({ model_type: "qwen2", use_sliding_window: true }, /sliding-window attention is not supported/);
    expectConfigError({ model_type: "llama", num_attention_heads: 32, num_key_value_heads: 5 }, /num_attention_heads 32 is not a multiple of num_key_value_heads 5/);
    expectConfigError({ model_type: "llama", hidden_act: "gelu" }, /unsupported hidden_act "gelu"/);
    expectConfigError({ model_type: "llama", hidden_size: 100, num_attention_heads: 3 }, /hidden_size 100 is not divisible by num_attention_heads 3/);
    expectConfigError({ model_type: "llama", rms_norm_eps: 0 }, /rms_norm_eps must be a positive number/);
  });

  it("BF16 weights (what SmolLM2 and Qwen ship) load as float32; a tied lm_head.weight in the file is ignored; a missing tensor is named", () => {
    const dir = fresh();
    const { weights } = writeTinyLlamaCheckpoint(dir, "qwen2", 2);
    const file = readSafetensors(readFileSync(join(dir, "model.safetensors"))).tensors;
    file["lm_head.weight"] = file["model.embed_tokens.weight"]; // some exports keep the tied copy
    writeFileSync(join(dir, "model.safetensors"), bf16Safetensors(file));
    const loaded = readCheckpoint(dir).weights;
    const name = "model.layers.1.self_attn.q_proj.bias";
    const truncated = Float32Array.from(weights[name], (v) => new Float32Array(new Uint32Array([new Uint32Array(Float32Array.from([v]).buffer)[0] & 0xffff0000]).buffer)[0]);
    expect(Array.from(loaded[name].data)).toEqual(Array.from(truncated));
    expect(loaded["lm_head.weight"]).toBeUndefined();
    delete file["model.layers.0.mlp.up_proj.weight"];
    writeFileSync(join(dir, "model.safetensors"), bf16Safetensors(file));
    expect(() => readCheckpoint(dir)).toThrow(/has no tensor model.layers.0.mlp.up_proj.weight/);
  });

  it("an eos_token spelled as an AddedToken object (Llama 2's tokenizer_config.json) sets the tokenizer's eos", () => {
    const dir = fresh();
    const { eosId } = writeTinyLlamaCheckpoint(dir, "llama", 1);
    const vocab = (JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")) as { model: { vocab: Record<string, number> } }).model.vocab;
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify({ eos_token: { __type: "AddedToken", content: "a", lstrip: false } }));
    expect(vocab.a).not.toBe(eosId);
    expect(readCheckpoint(dir).tokenizer.eosId).toBe(vocab.a);
  });

  it.each(["llama", "qwen2"] as const)("%s: load, train a step, save, reload gives identical logits and an HF config", (variant) => {
    const dir = fresh();
    writeTinyLlamaCheckpoint(dir, variant, 3);
    const original = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...original, bos_token_id: 1, torch_dtype: "bfloat16", use_cache: true }));
    const setup = checkpointSetup(dir);
    const before = setup.model.params["model.embed_tokens.weight"].dataSync().slice();
    const { loss } = trainStep(setup.model, new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0.01, gradClip: 1 }), { inputs: [[1, 2, 3, 4]], targets: [[2, 3, 4, 5]] }, 1e-2);
    expect(Number.isFinite(loss)).toBe(true);
    expect(Array.from(setup.model.params["model.embed_tokens.weight"].dataSync())).not.toEqual(Array.from(before));
    const saved = fresh();
    saveCheckpoint(saved, { config: setup.config, params: setup.model.params, tokenizerJson: setup.tokenizerJson, eosId: setup.tokenizer.eosId });
    const reloaded = loadCheckpoint(saved);
    const graph = buildModelGraph(reloaded.config);
    const logits = (p: Record<string, tf.Tensor>) => tf.tidy(() => executeGraph(graph, { ...p, ...denseInputs([[5, 1, 7, 2]]) }).logits.arraySync());
    expect(logits(reloaded.params)).toEqual(logits(setup.model.params));
    const config = JSON.parse(readFileSync(join(saved, "config.json"), "utf8"));
    expect(config).toMatchObject({ architectures: [variant === "llama" ? "LlamaForCausalLM" : "Qwen2ForCausalLM"], model_type: variant, tie_word_embeddings: variant === "qwen2", num_key_value_heads: 2 });
    expect(config).toMatchObject({ bos_token_id: 1, torch_dtype: "float32", use_cache: true }); // kept, except the dtype written
    expect(JSON.parse(readFileSync(join(saved, "generation_config.json"), "utf8")).bos_token_id).toBe(1); // a Llama's BOS is not its eos
    expect(Object.keys(reloaded.params).includes("lm_head.weight")).toBe(variant === "llama");
    expect(existsSync(join(saved, "tokenizer.json"))).toBe(true);
    disposeSetup(setup);
    tf.dispose(Object.values(reloaded.params));
  });
});
