// Builds the trainable model a run starts from: a fresh GPT-2 with a BPE tokenizer trained on
// the run's documents, or an existing checkpoint. Shared by `preflab pretrain` and the worker.
import * as tf from "@tensorflow/tfjs-core";
import { loadCheckpoint } from "../checkpoint/tfjs";
import type { CheckpointContents } from "../checkpoint/write";
import type { Gpt2Config } from "../models/gpt2";
import { buildModelGraph, type ModelConfig } from "../models/model-config";
import { initParams, type Params } from "../models/params";
import { tokenizerFromJson, type Tokenizer } from "../tokenizer/tokenizer";
import { toTokenizerJson } from "../tokenizer/tokenizer-json";
import { trainBpe } from "../tokenizer/train-bpe";
import type { TrainableModel } from "./lm-step";

/** Everything needed to train and then save a checkpoint. */
export interface TrainingSetup {
  config: ModelConfig;
  tokenizer: Tokenizer;
  tokenizerJson: object;
  /** The checkpoint's tokenizer_config.json, kept on save (its eos_token is the tokenizer's eos); absent for fresh models. */
  tokenizerConfig?: Record<string, unknown>;
  /** The checkpoint's generation_config.json (its sampling defaults), kept on save; absent for fresh models. */
  generationConfig?: Record<string, unknown>;
  model: TrainableModel;
}

export interface ModelShape {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  context: number;
  vocabSize: number;
}

function trainable(config: ModelConfig, params: Params): TrainableModel {
  return { graph: buildModelGraph(config), params: Object.fromEntries(Object.entries(params).map(([k, t]) => [k, tf.variable(t)])) };
}

/** A fresh model whose tokenizer is trained on `docs`. */
export function freshSetup(docs: string[], shape: ModelShape, seed: number): TrainingSetup {
  const tokenizerJson = toTokenizerJson(trainBpe(docs, shape.vocabSize));
  const tokenizer = tokenizerFromJson(tokenizerJson);
  const config: Gpt2Config = {
    model_type: "gpt2", n_layer: shape.nLayer, n_head: shape.nHead, n_embd: shape.nEmbd, n_positions: shape.context,
    vocab_size: tokenizer.vocabSize, layer_norm_epsilon: 1e-5, activation_function: "gelu_new", initializer_range: 0.02,
  };
  const init = initParams(buildModelGraph(config), seed);
  const model = trainable(config, init);
  tf.dispose(Object.values(init));
  return { config, tokenizer, tokenizerJson, model };
}

/** Continues from a checkpoint directory (throws CheckpointError on bad input). */
export function checkpointSetup(dir: string): TrainingSetup {
  const c = loadCheckpoint(dir);
  const model = trainable(c.config, c.params);
  tf.dispose(Object.values(c.params));
  const ownOrDefault = (json: Record<string, unknown>) => (Object.keys(json).length > 0 ? json : undefined);
  return { config: c.config, tokenizer: c.tokenizer, tokenizerJson: c.tokenizerJson, tokenizerConfig: ownOrDefault(c.tokenizerConfig), generationConfig: ownOrDefault(c.generationConfig), model };
}

/** Everything but the weights that a checkpoint of this setup is saved with (the started-from checkpoint's files kept). */
export function savedContents(setup: TrainingSetup): Omit<CheckpointContents, "weights"> {
  return { config: setup.config, tokenizerJson: setup.tokenizerJson, tokenizerConfig: setup.tokenizerConfig, generationConfig: setup.generationConfig, eosId: setup.tokenizer.eosId };
}

/** Frees the model's variables. */
export function disposeSetup(setup: TrainingSetup): void {
  tf.dispose(Object.values(setup.model.params));
}
