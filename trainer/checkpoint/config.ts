// Reads an HF config.json into a ModelConfig (GPT-2, Llama or Qwen2), with transformers' config
// defaults for missing fields, and rejects what preflab cannot run with a CheckpointError.
import type { Gpt2Config } from "../models/gpt2";
import type { LlamaConfig, RopeScaling } from "../models/llama";
import type { ModelConfig } from "../models/model-config";
import { CheckpointError } from "./errors";

// transformers' GPT2Config defaults (a config.json may omit any of them).
const GPT2_DEFAULTS = {
  n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257,
  layer_norm_epsilon: 1e-5, activation_function: "gelu_new", initializer_range: 0.02,
} as const;

// transformers' LlamaConfig and Qwen2Config defaults.
const LLAMA_DEFAULTS = {
  vocab_size: 32000, hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32, num_attention_heads: 32,
  max_position_embeddings: 2048, rms_norm_eps: 1e-6, rope_theta: 10000, tie_word_embeddings: false,
  attention_bias: false, mlp_bias: false, hidden_act: "silu", initializer_range: 0.02,
} as const;
const QWEN2_DEFAULTS = {
  ...LLAMA_DEFAULTS, vocab_size: 151936, intermediate_size: 22016, max_position_embeddings: 32768,
} as const;

// architectures entries accepted when model_type is missing.
const ARCHITECTURES: Record<string, ModelConfig["model_type"]> = { GPT2LMHeadModel: "gpt2", GPT2Model: "gpt2", LlamaForCausalLM: "llama", Qwen2ForCausalLM: "qwen2" };
const SUPPORTED = ["gpt2", "llama", "qwen2"];

/** Validates parsed config.json contents; `file` is used in error messages. */
export function parseModelConfig(raw: unknown, file = "config.json"): ModelConfig {
  if (typeof raw !== "object" || raw === null) throw new CheckpointError(file, "is not a JSON object");
  const c = raw as Record<string, unknown>;
  const fromArchitecture = Array.isArray(c.architectures) ? ARCHITECTURES[String(c.architectures[0])] : undefined;
  const type = c.model_type ?? fromArchitecture ?? "(missing)";
  if (type === "gpt2") return parseGpt2Config(c, file);
  if (type === "llama" || type === "qwen2") return parseLlamaConfig(c, type, file);
  throw new CheckpointError(file, `unsupported architecture model_type=${String(type)} (supported: ${SUPPORTED.join(", ")})`);
}

function positiveIntegers(config: Record<string, unknown>, keys: string[], file: string): void {
  for (const key of keys) {
    const v = config[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new CheckpointError(file, `${key} must be a positive integer, got ${JSON.stringify(v)}`);
  }
}

function parseGpt2Config(c: Record<string, unknown>, file: string): Gpt2Config {
  const config = { ...GPT2_DEFAULTS, ...c, model_type: "gpt2" } as Record<string, unknown>;
  if (c.n_positions === undefined && typeof c.n_ctx === "number") config.n_positions = c.n_ctx;
  positiveIntegers(config, ["n_layer", "n_head", "n_embd", "n_positions", "vocab_size"], file);
  if ((config.n_embd as number) % (config.n_head as number) !== 0) throw new CheckpointError(file, `n_embd ${config.n_embd} is not divisible by n_head ${config.n_head}`);
  if (config.activation_function !== "gelu_new" && config.activation_function !== "gelu") {
    throw new CheckpointError(file, `unsupported activation_function ${JSON.stringify(config.activation_function)} (supported: gelu_new, gelu)`);
  }
  return config as unknown as Gpt2Config;
}

function parseLlamaConfig(c: Record<string, unknown>, type: "llama" | "qwen2", file: string): LlamaConfig {
  const defaults = type === "qwen2" ? QWEN2_DEFAULTS : LLAMA_DEFAULTS;
  const config = { ...defaults, ...c, model_type: type } as Record<string, unknown>;
  config.num_key_value_heads ??= config.num_attention_heads;
  if (config.head_dim === null) delete config.head_dim;
  positiveIntegers(config, ["hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "intermediate_size", "vocab_size", "max_position_embeddings"], file);
  const heads = config.num_attention_heads as number;
  if (config.head_dim !== undefined) positiveIntegers(config, ["head_dim"], file);
  else if ((config.hidden_size as number) % heads !== 0) throw new CheckpointError(file, `hidden_size ${config.hidden_size} is not divisible by num_attention_heads ${heads}`);
  const headDim = (config.head_dim as number | undefined) ?? (config.hidden_size as number) / heads;
  if (headDim % 2 !== 0) throw new CheckpointError(file, `head_dim ${headDim} must be even for rotary embeddings`);
  if (heads % (config.num_key_value_heads as number) !== 0) {
    throw new CheckpointError(file, `num_attention_heads ${heads} is not a multiple of num_key_value_heads ${config.num_key_value_heads}`);
  }
  for (const key of ["rms_norm_eps", "rope_theta"]) {
    if (typeof config[key] !== "number" || !((config[key] as number) > 0)) throw new CheckpointError(file, `${key} must be a positive number, got ${JSON.stringify(config[key])}`);
  }
  if (config.hidden_act !== "silu") throw new CheckpointError(file, `unsupported hidden_act ${JSON.stringify(config.hidden_act)} (supported: silu)`);
  if (config.use_sliding_window === true) throw new CheckpointError(file, "use_sliding_window is true: sliding-window attention is not supported");
  if (type === "qwen2" && config.attention_bias === true) throw new CheckpointError(file, "attention_bias is not a Qwen2 option (Qwen2 always has q/k/v biases)");
  for (const key of ["tie_word_embeddings", "attention_bias", "mlp_bias"]) {
    if (typeof config[key] !== "boolean") throw new CheckpointError(file, `${key} must be true or false, got ${JSON.stringify(config[key])}`);
  }
  config.rope_scaling = parseRopeScaling(config.rope_scaling, file);
  return config as unknown as LlamaConfig;
}

// rope_scaling kinds whose frequencies preflab computes; the others (dynamic NTK, YaRN,
// LongRoPE) change attention in ways the graph does not model.
function parseRopeScaling(raw: unknown, file: string): RopeScaling | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "object") throw new CheckpointError(file, `rope_scaling must be an object or null, got ${JSON.stringify(raw)}`);
  const r = raw as Record<string, unknown>;
  const kind = r.rope_type ?? r.type;
  const number = (key: string) => {
    if (typeof r[key] !== "number" || !((r[key] as number) > 0)) throw new CheckpointError(file, `rope_scaling.${key} must be a positive number, got ${JSON.stringify(r[key])}`);
    return r[key] as number;
  };
  if (kind === "default") return null;
  if (kind === "linear") return { rope_type: "linear", factor: number("factor") };
  if (kind === "llama3") {
    return {
      rope_type: "llama3", factor: number("factor"), low_freq_factor: number("low_freq_factor"),
      high_freq_factor: number("high_freq_factor"), original_max_position_embeddings: number("original_max_position_embeddings"),
    };
  }
  throw new CheckpointError(file, `unsupported rope_scaling type ${JSON.stringify(kind)} (supported: default, linear, llama3)`);
}
