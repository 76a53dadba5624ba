// ONNX exports of checkpoint directories: `<dir>/onnx/model.onnx`, where transformers.js looks
// for a text-generation model, re-exported whenever the weights or config are newer than it.
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readCheckpoint, type RawCheckpoint } from "../checkpoint/read";
import type { ModelConfig } from "../models/model-config";
import type { Tokenizer } from "../tokenizer/tokenizer";
import { exportModel, type ExportOptions } from "./export";
import { causalLmShape, OnnxCausalLm, OutdatedExportError } from "./forward";
import type { WeightSource } from "./lower";
import type { SessionConfig } from "./session";

/** Relative to the checkpoint directory (transformers.js: `onnx/${model_file_name}.onnx`, fp32 = "model"). */
export const ONNX_MODEL_FILE = join("onnx", "model.onnx");

export function onnxModelPath(dir: string): string {
  return join(dir, ONNX_MODEL_FILE);
}

/** True when there is no export, or config.json / model.safetensors changed after it was written. */
export function onnxIsStale(dir: string): boolean {
  const path = onnxModelPath(dir);
  if (!existsSync(path)) return true;
  const exported = statSync(path).mtimeMs;
  return ["config.json", "model.safetensors"].some((f) => existsSync(join(dir, f)) && statSync(join(dir, f)).mtimeMs > exported);
}

function writeExport(checkpoint: RawCheckpoint, options: ExportOptions): string {
  const bytes = exportModel(checkpoint.config, (name) => checkpoint.weights[name].data, options);
  const path = onnxModelPath(checkpoint.dir);
  mkdirSync(join(checkpoint.dir, "onnx"), { recursive: true });
  // Temporary name + rename: a reader never sees half a model, even with two exporters racing.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
  return path;
}

/** Exports a checkpoint directory to `<dir>/onnx/model.onnx` (with KV cache) and returns that path. */
export function exportOnnx(dir: string, options: ExportOptions = {}): string {
  return writeExport(readCheckpoint(dir), options);
}

/** A checkpoint opened for inference on ONNX Runtime (the counterpart of trainer/language-model.ts). */
export interface OnnxLanguageModel {
  lm: OnnxCausalLm;
  tokenizer: Tokenizer;
  config: ModelConfig;
  generationConfig: Record<string, unknown>;
}

/**
 * Wraps weights already in memory (a policy being trained: PPO re-exports after each update and
 * samples its rollouts here) without touching the disk. `weights` returns each HF-named tensor.
 */
export async function onnxLanguageModelFromWeights(config: ModelConfig, tokenizer: Tokenizer, weights: WeightSource, session: SessionConfig = {}): Promise<OnnxLanguageModel> {
  const lm = await OnnxCausalLm.create(exportModel(config, weights), causalLmShape(config), session);
  return { lm, tokenizer, config, generationConfig: {} };
}

/** Opens a checkpoint for sampling and log-probs on ONNX Runtime, exporting it first if needed. */
export async function openOnnxCheckpoint(dir: string, session: SessionConfig = {}): Promise<OnnxLanguageModel> {
  const checkpoint = readCheckpoint(dir);
  const open = (path: string) => OnnxCausalLm.create(path, causalLmShape(checkpoint.config), session);
  const lm = onnxIsStale(dir)
    ? await open(writeExport(checkpoint, {}))
    : await open(onnxModelPath(dir)).catch((error) => {
      if (error instanceof OutdatedExportError) return open(writeExport(checkpoint, {}));
      throw error;
    });
  return { lm, tokenizer: checkpoint.tokenizer, config: checkpoint.config, generationConfig: checkpoint.generationConfig };
}
