// Reads an HF config.json into a Gpt2Config, with transformers' GPT2Config defaults for missing
// fields, and rejects what preflab cannot run with a CheckpointError.
import type { Gpt2Config } from "../models/gpt2";
import { CheckpointError } from "./errors";

// transformers' GPT2Config defaults (a config.json may omit any of them).
const GPT2_DEFAULTS = {
  n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257,
  layer_norm_epsilon: 1e-5, activation_function: "gelu_new", initializer_range: 0.02,
} as const;

const SUPPORTED = ["gpt2"];

/** Validates parsed config.json contents; `file` is used in error messages. */
export function parseGpt2Config(raw: unknown, file = "config.json"): Gpt2Config {
  if (typeof raw !== "object" || raw === null) throw new CheckpointError(file, "is not a JSON object");
  const c = raw as Record<string, unknown>;
  const type = c.model_type ?? "(missing)";
  if (!SUPPORTED.includes(String(type))) {
    throw new CheckpointError(file, `unsupported architecture model_type=${String(type)} (supported: ${SUPPORTED.join(", ")})`);
  }
  const config = { ...GPT2_DEFAULTS, ...c, model_type: "gpt2" } as Record<string, unknown>;
  if (c.n_positions === undefined && typeof c.n_ctx === "number") config.n_positions = c.n_ctx;
  for (const key of ["n_layer", "n_head", "n_embd", "n_positions", "vocab_size"]) {
    const v = config[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new CheckpointError(file, `${key} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if ((config.n_embd as number) % (config.n_head as number) !== 0) throw new CheckpointError(file, `n_embd ${config.n_embd} is not divisible by n_head ${config.n_head}`);
  if (config.activation_function !== "gelu_new" && config.activation_function !== "gelu") {
    throw new CheckpointError(file, `unsupported activation_function ${JSON.stringify(config.activation_function)} (supported: gelu_new, gelu)`);
  }
  return config as unknown as Gpt2Config;
}
