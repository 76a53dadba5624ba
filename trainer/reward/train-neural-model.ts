/**
 * The neural reward model in memory: a GPT-2 backbone (trainable variables) plus the scalar head
 * `score.weight`, loaded from and saved to Hugging Face GPT2ForSequenceClassification-style
 * directories (config.json, model.safetensors with score.weight, tokenizer.json).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { paramsToRaw } from "../checkpoint/tfjs";
import { readCheckpoint } from "../checkpoint/read";
import { findWeightFiles, readWeightTensors } from "../checkpoint/weight-files";
import { writeCheckpoint } from "../checkpoint/write";
import type { Graph } from "../graph/ir";
import { executeGraph } from "../graph/tfjs-exec";
import { architectureClass, buildModelGraph, hiddenSize, type ModelConfig } from "../models/model-config";
import type { Tokenizer } from "../tokenizer/tokenizer";
import { initScoreWeight, SCORE_WEIGHT } from "./head";
import type { HiddenStates } from "./step";

export interface NeuralRewardModel {
  config: ModelConfig;
  tokenizer: Tokenizer;
  tokenizerJson: object;
  tokenizerConfig: Record<string, unknown>;
  graph: Graph; // the backbone (any architecture) with the last_hidden_state output
  /** Backbone parameters and "score.weight", by HF name. */
  variables: Record<string, tf.Variable>;
  /** Reward moments saved with a finished model (PPO normalises with them). */
  rewardMean?: number;
  rewardStd?: number;
}

/** config.json fields that mark the directory as a reward model (a 1-label sequence classifier). */
function classifierConfig(model: NeuralRewardModel, moments: { mean: number; std: number } | null) {
  return {
    architectures: [architectureClass(model.config).replace(/LMHeadModel|ForCausalLM/, "ForSequenceClassification")],
    num_labels: 1,
    pad_token_id: model.tokenizer.eosId,
    ...(moments ? { preflab_reward_mean: moments.mean, preflab_reward_std: moments.std } : {}),
  };
}

/**
 * Loads a backbone checkpoint (any preflab/HF GPT-2 dir) or a saved reward model. A directory
 * without score.weight gets a fresh head (seeded), unless `requireHead` (scoring) says it must
 * be a trained reward model. Errors say which file is missing or wrong.
 */
export function loadNeuralRewardModel(dir: string, seed: number, requireHead = false): NeuralRewardModel {
  let raw;
  try {
    raw = readCheckpoint(dir);
  } catch (error) {
    throw new Error(`cannot load the reward model's backbone: ${(error as Error).message}`);
  }
  // Only the head is read again (readCheckpoint skips it), from whichever file or shard holds it.
  const weightFiles = findWeightFiles(dir);
  const head = readWeightTensors(weightFiles, (name) => name === SCORE_WEIGHT)[SCORE_WEIGHT];
  if (!head && requireHead) throw new Error(`${weightFiles.source} has no ${SCORE_WEIGHT}: it is a language model, not a trained reward model`);
  const variables: Record<string, tf.Variable> = {};
  // Unnamed variables: tfjs names must be unique per process, and a process may hold two models.
  const toVariable = (make: () => tf.Tensor) => tf.tidy(() => tf.variable(make(), true));
  for (const [name, t] of Object.entries(raw.weights)) variables[name] = toVariable(() => tf.tensor(t.data, t.shape, "float32"));
  variables[SCORE_WEIGHT] = toVariable(() => (head ? tf.tensor2d(head.data, [1, hiddenSize(raw.config)]) : initScoreWeight(hiddenSize(raw.config), seed)));
  const saved = JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8")) as Record<string, unknown>;
  return {
    config: raw.config,
    tokenizer: raw.tokenizer,
    tokenizerJson: raw.tokenizerJson,
    tokenizerConfig: raw.tokenizerConfig,
    graph: buildModelGraph(raw.config, { hiddenState: true }),
    variables,
    rewardMean: typeof saved.preflab_reward_mean === "number" ? saved.preflab_reward_mean : undefined,
    rewardStd: typeof saved.preflab_reward_std === "number" ? saved.preflab_reward_std : undefined,
  };
}

/** Saves weights (with score.weight), config and tokenizer; `moments`: the reward moments PPO normalises with (of the validation that kept the model). */
export function saveNeuralRewardModel(dir: string, model: NeuralRewardModel, moments: { mean: number; std: number } | null = null): void {
  writeCheckpoint(dir, {
    config: model.config,
    weights: paramsToRaw(model.variables),
    tokenizerJson: model.tokenizerJson,
    tokenizerConfig: model.tokenizerConfig,
    eosId: model.tokenizer.eosId,
  });
  const configPath = path.join(dir, "config.json");
  const config = { ...JSON.parse(readFileSync(configPath, "utf8")), ...classifierConfig(model, moments) };
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
}

/** The backbone as the reward step wants it: inputs → last hidden states [rows, seq, embd]. */
export function hiddenStatesOf(model: NeuralRewardModel): HiddenStates {
  return (inputs) =>
    executeGraph(
      model.graph,
      { ...model.variables, input_ids: inputs.inputIds, attention_mask: inputs.attentionMask, position_ids: inputs.positionIds },
      ["last_hidden_state"],
    ).last_hidden_state as tf.Tensor3D;
}

export function disposeNeuralRewardModel(model: NeuralRewardModel): void {
  for (const v of Object.values(model.variables)) v.dispose();
}
