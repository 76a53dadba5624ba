// Test fixtures for the Llama family: tiny configs in both variants (Llama: untied, no biases;
// Qwen2: q/k/v biases, tied embeddings), and a random checkpoint directory in Hugging Face's
// layout (config.json, model.safetensors, tokenizer.json, ...) that preflab and a PyTorch
// reference both load.
import { writeCheckpoint } from "../checkpoint/write";
import { randomWeights } from "../onnx/testing";
import { templateProcessor, toTokenizerJson } from "../tokenizer/tokenizer-json";
import { trainBpe } from "../tokenizer/train-bpe";
import { buildLlamaGraph, type LlamaConfig } from "./llama";

/** 2 layers, hidden 32, 4 heads over 2 KV heads, untied lm_head, no biases. */
export const TINY_LLAMA: LlamaConfig = {
  model_type: "llama", hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2,
  intermediate_size: 48, vocab_size: 19, max_position_embeddings: 64, rms_norm_eps: 1e-6, rope_theta: 10000,
  rope_scaling: null, tie_word_embeddings: false, attention_bias: false, mlp_bias: false, hidden_act: "silu",
};

/** The same shape as Qwen2: q/k/v biases, tied embeddings, another rope_theta. */
export const TINY_QWEN2: LlamaConfig = { ...TINY_LLAMA, model_type: "qwen2", tie_word_embeddings: true, rope_theta: 1000000 };

export interface TinyLlamaCheckpoint {
  config: LlamaConfig;
  /** Every parameter by HF name, as written to model.safetensors (float32). */
  weights: Record<string, Float32Array>;
  eosId: number;
  /** The BOS id, when the tokenizer starts sequences with one. */
  bosId?: number;
}

/**
 * Writes a random Llama (variant "llama") or Qwen2 ("qwen2") checkpoint directory with a BPE
 * tokenizer trained on two sentences (vocab ≈ 270, which sets vocab_size). Weights are uniform
 * in ±scale (norm weights around 1) so logits are far from uniform. `overrides` change config
 * fields (e.g. num_key_value_heads, rope_scaling). With `bos` (e.g. "<|begin_of_text|>"), the
 * tokenizer has that special token and, as Llama 3's tokenizer.json, a TemplateProcessing
 * post_processor that puts it before every sequence.
 */
export function writeTinyLlamaCheckpoint(dir: string, variant: "llama" | "qwen2" = "llama", seed = 7, overrides: Partial<LlamaConfig> = {}, scale = 0.5, bos?: string): TinyLlamaCheckpoint {
  const specials = bos === undefined ? ["<|endoftext|>"] : ["<|endoftext|>", bos];
  const bpe = trainBpe(["a great movie, a great cast", "the plot was thin but the cast was great"], 270, specials);
  const vocab = Object.keys(bpe.vocab).length;
  const config: LlamaConfig = { ...(variant === "qwen2" ? TINY_QWEN2 : TINY_LLAMA), vocab_size: vocab, ...overrides };
  const graph = buildLlamaGraph(config);
  const weights = randomWeights(graph, seed, scale);
  const raw = Object.fromEntries(graph.params.map((p) => [p.name, { shape: p.shape, data: weights[p.name] }]));
  const eosId = bpe.vocab["<|endoftext|>"];
  const bosId = bos === undefined ? undefined : bpe.vocab[bos];
  const tokenizerJson = toTokenizerJson(bpe, specials);
  if (bos !== undefined) Object.assign(tokenizerJson, { post_processor: templateProcessor(bpe.vocab, [bos]) });
  writeCheckpoint(dir, { config, weights: raw, tokenizerJson, eosId, bosId });
  return { config, weights, eosId, bosId };
}
