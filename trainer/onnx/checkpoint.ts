// ONNX exports of checkpoint directories: `<dir>/onnx/model.onnx`, where transformers.js looks
// for a text-generation model (with `model.onnx_data` beside it when the weights pass 2 GiB),
// re-exported whenever the weights or config are newer than it.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { readCheckpoint, readCheckpointInfo, type RawCheckpoint } from "../checkpoint/read";
import { findWeightFiles, weightFilePaths } from "../checkpoint/weight-files";
import type { ModelConfig } from "../models/model-config";
import type { Tokenizer } from "../tokenizer/tokenizer";
import { exportModelWithData, type ExportOptions } from "./export";
import { onnxDataIsNewer, writeOnnxFiles } from "./external-data";
import { causalLmShape, OnnxCausalLm, OutdatedExportError } from "./forward";
import type { WeightSource } from "./lower";
import type { SessionConfig } from "./session";

/** Relative to the checkpoint directory (transformers.js: `onnx/${model_file_name}.onnx`, fp32 = "model"). */
export const ONNX_MODEL_FILE = join("onnx", "model.onnx");

export function onnxModelPath(dir: string): string {
  return join(dir, ONNX_MODEL_FILE);
}

/**
 * True when there is no export, when config.json or a weights file (model.safetensors, or the
 * index and its shards) changed after it was written, or when its data file is newer than it.
 */
export function onnxIsStale(dir: string): boolean {
  const path = onnxModelPath(dir);
  if (!existsSync(path)) return true;
  const exported = statSync(path).mtimeMs;
  let sources = [join(dir, "config.json")];
  try {
    sources = [...sources, ...weightFilePaths(dir)];
  } catch {
    // no weights at all: readCheckpoint says so when the export is opened
  }
  return sources.some((f) => existsSync(f) && statSync(f).mtimeMs > exported) || onnxDataIsNewer(path);
}

function writeExport(checkpoint: RawCheckpoint, options: ExportOptions): string {
  const exported = exportModelWithData(checkpoint.config, (name) => checkpoint.weights[name].data, options);
  const path = onnxModelPath(checkpoint.dir);
  mkdirSync(join(checkpoint.dir, "onnx"), { recursive: true });
  // Temporary names + renames: a reader never sees half a model or half its data, even with two exporters racing.
  writeOnnxFiles(path, exported);
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
 * Whatever the size, the weights are handed to ORT as in-memory external data, views of the
 * arrays `weights` returns: never copied into a protobuf, never limited to its 2 GiB.
 */
export async function onnxLanguageModelFromWeights(config: ModelConfig, tokenizer: Tokenizer, weights: WeightSource, session: SessionConfig = {}): Promise<OnnxLanguageModel> {
  const exported = exportModelWithData(config, weights, { externalDataAbove: 0, externalData: "memory" });
  const lm = await OnnxCausalLm.create(exported, causalLmShape(config), session);
  return { lm, tokenizer, config, generationConfig: {} };
}

/**
 * Opens a checkpoint for sampling and log-probs on ONNX Runtime, exporting it first if needed.
 * The weights are read only to export them, and are garbage by the time ORT loads its own copy.
 */
export async function openOnnxCheckpoint(dir: string, session: SessionConfig = {}): Promise<OnnxLanguageModel> {
  const info = readCheckpointInfo(dir);
  findWeightFiles(dir); // no weights at all is an error even beside an export
  const open = (path: string) => OnnxCausalLm.create(path, causalLmShape(info.config), session);
  const reexport = () => open(writeExport(readCheckpoint(dir), {}));
  const lm = onnxIsStale(dir)
    ? await reexport()
    : await open(onnxModelPath(dir)).catch((error) => {
      if (error instanceof OutdatedExportError) return reexport();
      throw error;
    });
  return { lm, tokenizer: info.tokenizer, config: info.config, generationConfig: info.generationConfig };
}
