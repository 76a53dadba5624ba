// PyTorch's training throughput at a model shape, for the engine benchmark's PyTorch rows beside
// preflab's engines (ONNX Runtime, tfjs-wasm): bench/torch_train.py times real steps (forward,
// backward, clipping, AdamW with trainer/train/config.ts's hyper-parameters) of preflab's own
// PyTorch reference of the architecture, random weights, threads = cores, in its own process (so
// its peak RSS is its own). Only where a python3 imports torch (Debian's python3-torch); elsewhere
// the row says why it is missing.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { findTorchPython, runTorchScript } from "../trainer/models/reference/torch-python";
import { DEFAULT_TRAIN_CONFIG } from "../trainer/train/config";

type Row = Record<string, string | number>;

const SCRIPT = fileURLToPath(new URL("./torch_train.py", import.meta.url));

/** A model shape to train: an HF config.json (model_type gpt2, llama or qwen2) and the batch. */
export interface TorchTrainShape {
  /** Row label. */
  name: string;
  config: Record<string, unknown>;
  batch: number;
  seq: number;
  /** Timed steps, after one untimed warm-up step. */
  steps: number;
}

/** The shapes: GPT-2 small (124M) and SmolLM2-135M's Llama shape, at batch 4 × 128 tokens. */
export const GPT2_SMALL_SHAPE: TorchTrainShape = {
  name: "gpt2-small", batch: 4, seq: 128, steps: 3,
  config: { model_type: "gpt2", n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257, layer_norm_epsilon: 1e-5, activation_function: "gelu_new" },
};
/** GPT-2 medium (355M): what issue 12 asks to train within 24 GiB; two timed steps (each takes tens of seconds here). */
export const GPT2_MEDIUM_SHAPE: TorchTrainShape = {
  ...GPT2_SMALL_SHAPE, name: "gpt2-medium", steps: 2,
  config: { ...GPT2_SMALL_SHAPE.config, n_layer: 24, n_head: 16, n_embd: 1024 },
};
export const LLAMA_135M_SHAPE: TorchTrainShape = {
  name: "llama-135m", batch: 4, seq: 128, steps: 3,
  config: {
    model_type: "llama", hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3, intermediate_size: 1536,
    vocab_size: 49152, max_position_embeddings: 8192, rms_norm_eps: 1e-5, rope_theta: 100000, tie_word_embeddings: true, hidden_act: "silu",
  },
};

/** The built-in policy's shape (models/builtin/config.json), at batch 4 × min(128, context) as trainer-bench times it. */
export function builtinShape(dir = "models/builtin"): TorchTrainShape {
  const config = JSON.parse(readFileSync(`${dir}/config.json`, "utf8")) as Record<string, unknown>;
  return { name: "builtin", config, batch: 4, seq: Math.min(128, Number(config.n_positions ?? config.max_position_embeddings)), steps: 5 };
}

export interface TorchTrainResult {
  /** batch·seq over the best timed step. */
  tokensPerSecond: number;
  bestSecondsPerStep: number;
  meanSecondsPerStep: number;
  /** CPU seconds per step: steadier than wall time on a shared machine. */
  cpuSecondsPerStep: number;
  peakRssMiB: number;
  parameters: number;
  threads: number;
  torchVersion: string;
  /** libblas.so.3's Debian alternative: "openblas-openmp", or "blas" (netlib's reference, far slower). */
  blas: string;
}

/** Times the shape in PyTorch; rejects when torch is missing or the script fails. */
export async function torchTrain(shape: TorchTrainShape, threads = availableParallelism()): Promise<TorchTrainResult> {
  const t = DEFAULT_TRAIN_CONFIG;
  const args = { config: shape.config, batch: shape.batch, seq: shape.seq, steps: shape.steps, threads, lr: 1e-4, beta1: t.beta1, beta2: t.beta2, weight_decay: t.weightDecay, grad_clip: t.gradClip };
  const r = JSON.parse(await runTorchScript(SCRIPT, [JSON.stringify(args)])) as Record<string, number | string>;
  return {
    tokensPerSecond: Number(r.tokens_per_second), bestSecondsPerStep: Number(r.best_seconds_per_step), meanSecondsPerStep: Number(r.mean_seconds_per_step),
    cpuSecondsPerStep: Number(r.cpu_seconds_per_step), peakRssMiB: Number(r.peak_rss_mib), parameters: Number(r.parameters), threads: Number(r.threads),
    torchVersion: String(r.torch), blas: String(r.blas),
  };
}

/** The metric label every engine's training row shares, so rows of one shape line up. */
export const trainMetric = (s: TorchTrainShape, threads: number) => `train tok/s (B=${s.batch},T=${s.seq},AdamW,${threads} thread${threads > 1 ? "s" : ""})`;

/** One benchmark row; never throws: "not available" without torch, "failed" with the cause. */
export async function torchTrainRow(shape: TorchTrainShape, threads = availableParallelism()): Promise<Row> {
  const row: Row = { bench: "engine", backend: "pytorch", model: shape.name, metric: trainMetric(shape, threads), cores: availableParallelism() };
  const torch = findTorchPython();
  if (!torch.available) return { ...row, value: "not available", note: torch.reason };
  try {
    const r = await torchTrain(shape, threads);
    const params = `${(r.parameters / 1e6).toFixed(1)}M params`;
    const note = `${params}, best of ${shape.steps} steps, mean ${r.meanSecondsPerStep.toFixed(2)} s/step, ${r.cpuSecondsPerStep.toFixed(2)} CPU s/step; torch ${r.torchVersion}, BLAS ${r.blas}`;
    return { ...row, value: Number(r.tokensPerSecond.toFixed(1)), "peak RSS MiB": r.peakRssMiB, note };
  } catch (error) {
    return { ...row, value: "failed", note: (error as Error).message };
  }
}
