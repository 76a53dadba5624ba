// Neural reward models trained by ONNX Runtime (OrtVjpTrainer): the score head is part of the IR
// graph (score.weight · the backbone's last_hidden_state at each row's last real token, head.ts's
// rewardFromHidden), so ORT computes the rewards and updates backbone and head in one AdamW with
// one global-norm clip, as the tfjs step does; the loss is losses.ts's rewardLoss (the one tfjs
// definition, unchanged) and its gradient per row seeds ORT's backward pass. Rows are every chosen
// sequence then every rejected one, right-padded to the run's longest (one static
// [2·batchSize, seq] shape for the whole run). A short last batch is filled with padding rows that
// pick no token and that the loss never reads, so their seeds are 0. Causal attention makes the
// extra right padding harmless: a real token never attends to a later position.
import * as ort from "onnxruntime-node";
import * as tf from "@tensorflow/tfjs-core";
import { GraphBuilder } from "../graph/builder";
import type { Graph } from "../graph/ir";
import { int64Tensor } from "../onnx/session";
import { describeOrtEngine, resolveEngineBuilding, type TrainingEngine } from "../onnx-train/engine";
import { modelWeights, withOrtStep } from "../onnx-train/lm-engine";
import { OrtVjpTrainer, vjpTrainerEngine, type OrtEngineOptions, type RowValue, type VjpEngine } from "../onnx-train/vjp-trainer";
import type { Objective } from "../train/loop";
import type { AdamWOptions } from "../train/optimizer";
import { describeBackend } from "../backend";
import type { RunContext } from "../worker/run-context";
import { buildRewardBatch, type RewardBatchOptions, type TokenizedPair } from "./batch";
import { SCORE_WEIGHT } from "./head";
import { rewardLoss, type RewardLossConfig } from "./losses";
import type { NeuralRewardModel } from "./train-neural-model";

export const REWARDS = "rewards";
/** One-hot [rows, seq] of each row's last real token (all 0 on a padding row). */
export const LAST_TOKEN = "last_token";

/** Rows of token ids with the one-hot pick of the token each row is scored at. */
export interface RewardRows {
  inputs: number[][];
  pick: number[][];
}

/** `model` (with a last_hidden_state output) plus the score head: output `rewards` [batch]. */
export function withRewardHead(model: Graph, batch: number, seq: number): Graph {
  const hidden = model.outputs.find((o) => o.name === "last_hidden_state");
  if (!hidden) throw new Error("the reward backbone's graph has no last_hidden_state output");
  const embd = hidden.shape[2] as number;
  const g = GraphBuilder.extending({ ...model, outputs: [] });
  const pick = g.input(LAST_TOKEN, "float32", [batch, seq]);
  const score = g.param(SCORE_WEIGHT, [1, embd], { kind: "normal", std: 1 / Math.sqrt(embd) });
  const picked = g.op("mul", "reward_head", ["last_hidden_state", g.op("reshape", "reward_head", [pick], { shape: [batch, seq, 1] })], {});
  const last = g.op("reduceSum", "reward_head", [picked], { axes: [1], keepDims: false }); // [batch, embd]
  const r = g.op("matmul", "reward_head", [last, g.op("transpose", "reward_head", [score], { perm: [1, 0] })], {}); // [batch, 1]
  g.op("reshape", "reward_head", [r], { shape: [batch] }, REWARDS);
  g.output(REWARDS, "float32", [batch]);
  return g.build();
}

export const REWARDS_VALUE: RowValue<RewardRows> = {
  name: REWARDS,
  extend: withRewardHead,
  inputShapes: (batch, seq) => ({ [LAST_TOKEN]: [batch, seq] }),
  feeds: (b, batch, seq) => ({ [LAST_TOKEN]: new ort.Tensor("float32", Float32Array.from(b.pick.flat()), [batch, seq]) }),
};

/** The step length a run's pairs need: its longest kept sequence. */
export function rewardStepLength(pairs: readonly TokenizedPair[], maxLength: number): number {
  return Math.min(maxLength, Math.max(1, ...pairs.flatMap((p) => [p.chosen.length, p.rejected.length])));
}

/** A batch of (at most `batchSize`) pairs as the step graph's [2·batchSize, seq] rows (buildRewardBatch's tokens, re-padded). */
export function rewardRows(batch: readonly TokenizedPair[], o: { batchSize: number; seq: number } & RewardBatchOptions): RewardRows {
  if (batch.length > o.batchSize) throw new Error(`${batch.length} pairs do not fit a step of ${o.batchSize}`);
  const arrays = buildRewardBatch(batch, o);
  if (arrays.seq > o.seq) throw new Error(`a ${arrays.seq}-token row does not fit a step of ${o.seq} tokens`);
  const inputs: number[][] = [];
  const pick: number[][] = [];
  for (let row = 0; row < 2 * o.batchSize; row++) {
    const ids = new Array<number>(o.seq).fill(o.padId);
    const onehot = new Array<number>(o.seq).fill(0);
    if (row < arrays.rows) {
      let last = 0;
      for (let t = 0; t < arrays.seq; t++) {
        if (arrays.attentionMask[row * arrays.seq + t] === 0) continue;
        ids[t] = arrays.inputIds[row * arrays.seq + t]!;
        last = t;
      }
      onehot[last] = 1;
    }
    inputs.push(ids);
    pick.push(onehot);
  }
  return { inputs, pick };
}

/** rewardLoss as a function of every row's reward [2·batchSize] (padding rows read by nothing), for tf.valueAndGrad. */
export function rewardSeedLoss(batch: readonly TokenizedPair[], config: RewardLossConfig): (rewards: tf.Tensor1D) => tf.Scalar {
  const n = batch.length;
  return (rewards) => {
    const extras = { margin: tf.tensor1d(batch.map((p) => p.margin ?? 0)), weight: tf.tensor1d(batch.map((p) => p.weight ?? 1)), tie: tf.tensor1d(batch.map((p) => (p.tie ? 1 : 0))) };
    return rewardLoss({ chosen: tf.slice(rewards, 0, n), rejected: tf.slice(rewards, n, n), ...extras }, config);
  };
}

/** The backbone graph plus head, and every variable, as the ORT engine's model. */
function rewardTrainable(model: NeuralRewardModel) {
  return { graph: model.graph, params: model.variables };
}

/**
 * The engine of a neural reward run at its step shape, named on the run page: ONNX Runtime when it
 * can build the reward trainer's graphs (built once here and handed on), else a TensorFlow.js backend.
 */
export async function chooseRewardEngine(ctx: RunContext, model: NeuralRewardModel, engine: TrainingEngine, o: { rows: number; seq: number; adamw: AdamWOptions }): Promise<VjpEngine> {
  const build = () => OrtVjpTrainer.plan({ graph: model.graph, batch: o.rows, seq: o.seq, adamw: o.adamw, value: REWARDS_VALUE });
  const { engine: resolved, built } = await resolveEngineBuilding(engine, build);
  ctx.info({ backend: resolved.kind === "onnx" ? describeOrtEngine(resolved.provider, resolved.threads) : describeBackend(resolved.backend) });
  return { ...resolved, plan: built };
}

export interface OrtRewardsOptions extends OrtEngineOptions {
  lossConfig: RewardLossConfig;
  adamw: AdamWOptions;
  batchSize: number;
  seq: number;
  maxLength: number;
}

/** `base` (rewardObjective) trained by ONNX Runtime; release the returned trainer when the run ends. */
export async function withOrtRewards(base: Objective<TokenizedPair[]>, model: NeuralRewardModel, o: OrtRewardsOptions): Promise<{ objective: Objective<TokenizedPair[]>; trainer: OrtVjpTrainer<RewardRows> }> {
  const trainable = rewardTrainable(model);
  const trainer = await OrtVjpTrainer.create<RewardRows>({ graph: model.graph, weights: modelWeights(trainable), adamw: o.adamw, batch: 2 * o.batchSize, seq: o.seq, ...vjpTrainerEngine(o), value: REWARDS_VALUE });
  const padId = model.tokenizer.eosId;
  const objective = withOrtStep(base, trainer, trainable, async (batch, lr) => ({
    ...(await trainer.step(rewardRows(batch, { ...o, padId, sequenceStart: model.tokenizer.sequenceStart }), rewardSeedLoss(batch, o.lossConfig), lr)),
    metrics: {},
  }));
  return { objective, trainer };
}
