// A loaded causal language model for inference on tfjs: the checkpoint's config, tokenizer and
// weights plus the two graph variants built from the architecture's one definition.
import * as tf from "@tensorflow/tfjs-core";
import type { Graph } from "./graph/ir";
import { foldParamNodes } from "./graph/tfjs-exec";
import { loadCheckpoint } from "./checkpoint/tfjs";
import { InputError } from "./errors";
import { buildModelGraph, contextField, contextLength, type ModelConfig } from "./models/model-config";
import { disposeParams, type Params } from "./models/params";
import type { Tokenizer } from "./tokenizer/tokenizer";

export interface LanguageModel {
  config: ModelConfig;
  tokenizer: Tokenizer;
  params: Params;
  /** Full-sequence graph (training, log-probs, generation without cache). */
  graph: Graph;
  /** Same model with past_key_values inputs and present outputs. */
  cachedGraph: Graph;
  /** Parameter-only nodes of `graph` / `cachedGraph` precomputed for inference (never for training). */
  folded: Record<string, tf.Tensor>;
  cachedFolded: Record<string, tf.Tensor>;
  generationConfig: Record<string, unknown>;
}

/** Wraps parameters already in memory (e.g. a model being trained). */
export function languageModel(config: ModelConfig, tokenizer: Tokenizer, params: Params, generationConfig: Record<string, unknown> = {}): LanguageModel {
  const graph = buildModelGraph(config);
  const cachedGraph = buildModelGraph(config, { kvCache: true });
  const folded = foldParamNodes(graph, params);
  const cachedFolded = foldParamNodes(cachedGraph, params);
  return { config, tokenizer, params, graph, cachedGraph, folded, cachedFolded, generationConfig };
}

/** Loads a checkpoint directory (throws CheckpointError on bad input). */
export function loadLanguageModel(dir: string): LanguageModel {
  const c = loadCheckpoint(dir);
  return languageModel(c.config, c.tokenizer, c.params, c.generationConfig);
}

/** Frees the model's weights. */
export function disposeLanguageModel(model: LanguageModel): void {
  disposeParams(model.params);
  tf.dispose([...Object.values(model.folded), ...Object.values(model.cachedFolded)]);
}

/** Throws an InputError when `tokens` do not fit the model's context. */
export function checkContext(model: LanguageModel, tokens: number, what: string): void {
  const context = contextLength(model.config);
  if (tokens > context) {
    throw new InputError(`${what} is ${tokens} tokens, longer than the model's context of ${context} (${contextField(model.config)})`);
  }
}
