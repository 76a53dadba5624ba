// Reads a Hugging Face checkpoint directory (GPT-2, Llama, Qwen2) into plain data (no tfjs, so the ONNX side can
// use it too): config.json, model.safetensors (or its shards), tokenizer.json (+ tokenizer_config.json) and
// generation_config.json. Every problem becomes a CheckpointError naming the file.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildModelGraph, type ModelConfig } from "../models/model-config";
import { tokenizerFromJson, type Tokenizer } from "../tokenizer/tokenizer";
import { parseModelConfig } from "./config";
import { CheckpointError } from "./errors";
import type { RawTensor } from "./safetensors";
import { findWeightFiles, readWeightTensors } from "./weight-files";

export interface RawCheckpoint {
  dir: string;
  config: ModelConfig;
  /** Every graph parameter by its HF name (float32, whatever the file stored: F32, F16, BF16). */
  weights: Record<string, RawTensor>;
  tokenizer: Tokenizer;
  tokenizerJson: object;
  tokenizerConfig: Record<string, unknown>;
  generationConfig: Record<string, unknown>;
}

function readJson(dir: string, name: string, required: boolean): unknown {
  const path = join(dir, name);
  if (!existsSync(path)) {
    if (required) throw new CheckpointError(path, "is missing");
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new CheckpointError(path, `is not valid JSON (${(error as Error).message})`);
  }
}

// GPT2Model / LlamaModel files name the parameters without "transformer." / "model.".
const unprefixed = (name: string) => name.replace(/^(transformer|model)\./, "");

/**
 * Reads the weights (model.safetensors or its shards) and maps them onto the graph's parameter
 * names; extra tensors (a tied lm_head.weight, attn.bias buffers) are never even decoded.
 */
function readWeights(dir: string, config: ModelConfig): Record<string, RawTensor> {
  const params = buildModelGraph(config).params;
  const wanted = new Set(params.flatMap((spec) => [spec.name, unprefixed(spec.name)]));
  const found = findWeightFiles(dir);
  const file = readWeightTensors(found, (name) => wanted.has(name));
  const weights: Record<string, RawTensor> = {};
  for (const spec of params) {
    const name = spec.name in file ? spec.name : unprefixed(spec.name);
    const t = file[name];
    if (!t) throw new CheckpointError(found.source, `has no tensor ${spec.name}`);
    if (t.shape.join(",") !== spec.shape.join(",")) {
      throw new CheckpointError(found.weightMap?.[name] ?? found.source, `tensor ${spec.name} has shape [${t.shape}], config.json implies [${spec.shape}]`);
    }
    weights[spec.name] = t;
  }
  return weights;
}

function readTokenizer(dir: string, config: ModelConfig) {
  const tokenizerJson = readJson(dir, "tokenizer.json", true) as object;
  const tokenizerConfig = (readJson(dir, "tokenizer_config.json", false) ?? {}) as Record<string, unknown>;
  let tokenizer: Tokenizer;
  try {
    tokenizer = tokenizerFromJson(tokenizerJson, tokenizerConfig);
  } catch (error) {
    throw new CheckpointError(join(dir, "tokenizer.json"), `cannot be loaded (${(error as Error).message})`);
  }
  if (tokenizer.vocabSize > config.vocab_size) {
    throw new CheckpointError(join(dir, "tokenizer.json"), `has ${tokenizer.vocabSize} token ids but config.json vocab_size is ${config.vocab_size}`);
  }
  return { tokenizer, tokenizerJson, tokenizerConfig };
}

// Weights are checked before the tokenizer: a config that does not fit the weights is the first thing to report.
function read(dir: string, withWeights: boolean): Omit<RawCheckpoint, "weights"> & { weights?: Record<string, RawTensor> } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CheckpointError(dir, "is not a directory");
  const config = parseModelConfig(readJson(dir, "config.json", true), join(dir, "config.json"));
  const weights = withWeights ? readWeights(dir, config) : undefined;
  const generationConfig = (readJson(dir, "generation_config.json", false) ?? {}) as Record<string, unknown>;
  return { dir, config, weights, ...readTokenizer(dir, config), generationConfig };
}

/** Reads and validates a checkpoint directory. */
export function readCheckpoint(dir: string): RawCheckpoint {
  const { weights, ...rest } = read(dir, true);
  return { ...rest, weights: weights! };
}

/**
 * Everything but the weights (config, tokenizer, generation config), for a reader that gets the
 * weights elsewhere: an up-to-date ONNX export holds them, and reading a Llama's 5 GB again
 * next to ORT's own copy would double the memory.
 */
export function readCheckpointInfo(dir: string): Omit<RawCheckpoint, "weights"> {
  const { weights: _none, ...rest } = read(dir, false);
  return rest;
}
