// Every architecture preflab runs, as one union of HF config.json shapes, with the few numbers
// the rest of the trainer needs (cache shapes, context, widths) and one graph-builder dispatch.
// Code outside trainer/models reads these accessors instead of an architecture's own fields.
import type { Graph } from "../graph/ir";
import { buildGpt2Graph, type Gpt2Config } from "./gpt2";
import { buildLlamaGraph, llamaHeadDim, type LlamaConfig } from "./llama";

export type ModelConfig = Gpt2Config | LlamaConfig;

/** Which variant of a model graph to build (every builder takes these). */
export interface ModelGraphOptions {
  /** Add past_key_values.{i}.key|value inputs and present.{i}.key|value outputs. */
  kvCache?: boolean;
  /** Also output `last_hidden_state` (after the final norm), for reward/value heads. */
  hiddenState?: boolean;
}

/** The model's graph (same inputs and outputs for every architecture). */
export function buildModelGraph(config: ModelConfig, options: ModelGraphOptions = {}): Graph {
  return config.model_type === "gpt2" ? buildGpt2Graph(config, options) : buildLlamaGraph(config, options);
}

/** The numbers that shape everything around a model graph. */
export interface ModelDims {
  layers: number;
  /** Residual stream width (last_hidden_state). */
  hidden: number;
  /** Heads held in the KV cache (Llama's num_key_value_heads). */
  kvHeads: number;
  headDim: number;
  vocab: number;
  /** Longest sequence (past + new) the positions cover. */
  contextLength: number;
}

export function modelDims(config: ModelConfig): ModelDims {
  if (config.model_type === "gpt2") {
    return {
      layers: config.n_layer, hidden: config.n_embd, kvHeads: config.n_head, headDim: config.n_embd / config.n_head,
      vocab: config.vocab_size, contextLength: config.n_positions,
    };
  }
  return {
    layers: config.num_hidden_layers, hidden: config.hidden_size, kvHeads: config.num_key_value_heads, headDim: llamaHeadDim(config),
    vocab: config.vocab_size, contextLength: config.max_position_embeddings,
  };
}

/** Context length in tokens. */
export function contextLength(config: ModelConfig): number {
  return modelDims(config).contextLength;
}

/** Width of last_hidden_state: what reward and value heads read. */
export function hiddenSize(config: ModelConfig): number {
  return modelDims(config).hidden;
}

/** The config.json field holding the context length, for messages ("n_positions", "max_position_embeddings"). */
export function contextField(config: ModelConfig): string {
  return config.model_type === "gpt2" ? "n_positions" : "max_position_embeddings";
}

/** The architectures entry of config.json (transformers' class name). */
export function architectureClass(config: ModelConfig): string {
  return { gpt2: "GPT2LMHeadModel", llama: "LlamaForCausalLM", qwen2: "Qwen2ForCausalLM" }[config.model_type];
}
