// Reads a Hugging Face checkpoint directory (GPT-2, Llama, Qwen2) into plain data (no tfjs, so the ONNX side can
// use it too): config.json, model.safetensors, tokenizer.json (+ tokenizer_config.json) and
// generation_config.json. Every problem becomes a CheckpointError naming the file.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildModelGraph, type ModelConfig } from "../models/model-config";
import { tokenizerFromJson, type Tokenizer } from "../tokenizer/tokenizer";
import { parseModelConfig } from "./config";
import { CheckpointError } from "./errors";
import { readSafetensors, SafetensorsError, type RawTensor } from "./safetensors";

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

/**
 * Maps the file's tensors onto the graph's parameter names (GPT2Model / LlamaModel files lack
 * "transformer." / "model."); extra tensors (a tied lm_head.weight, attn.bias buffers) are ignored.
 */
function matchWeights(config: ModelConfig, file: Record<string, RawTensor>, path: string): Record<string, RawTensor> {
  const weights: Record<string, RawTensor> = {};
  for (const spec of buildModelGraph(config).params) {
    const t = file[spec.name] ?? file[spec.name.replace(/^(transformer|model)\./, "")];
    if (!t) throw new CheckpointError(path, `has no tensor ${spec.name}`);
    if (t.shape.join(",") !== spec.shape.join(",")) {
      throw new CheckpointError(path, `tensor ${spec.name} has shape [${t.shape}], config.json implies [${spec.shape}]`);
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

/** Reads and validates a checkpoint directory. */
export function readCheckpoint(dir: string): RawCheckpoint {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CheckpointError(dir, "is not a directory");
  const config = parseModelConfig(readJson(dir, "config.json", true), join(dir, "config.json"));
  const path = join(dir, "model.safetensors");
  if (!existsSync(path)) throw new CheckpointError(path, "is missing (only safetensors weights are supported)");
  let file: Record<string, RawTensor>;
  try {
    file = readSafetensors(readFileSync(path)).tensors;
  } catch (error) {
    if (error instanceof SafetensorsError) throw new CheckpointError(path, error.message);
    throw error;
  }
  const weights = matchWeights(config, file, path);
  const generationConfig = (readJson(dir, "generation_config.json", false) ?? {}) as Record<string, unknown>;
  return { dir, config, weights, ...readTokenizer(dir, config), generationConfig };
}
