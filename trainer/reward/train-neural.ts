/**
 * The neural reward run: a GPT-2 backbone (models/builtin unless `base` names another checkpoint)
 * plus a scalar head, trained with the configured Bradley-Terry loss (margins from strength,
 * centering, ties per tieMode) by AdamW on batches of pairs; validated every evalInterval steps
 * on the held-out prompts; the best model by validation loss is kept in reward-model/, and a
 * resumable checkpoint is written at every evaluation; early stopping after `patience`
 * evaluations without improvement.
 */
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { describeBackend, initBackend } from "../backend";
import { AdamW } from "../train/optimizer";
import { learningRateAt } from "../train/schedule";
import type { RunContext } from "../worker/run-context";
import { buildRewardBatch, type TokenizedPair } from "./batch";
import type { RewardConfig } from "./config";
import { EarlyStopping } from "./early-stopping";
import type { RewardData } from "./executor-data";
import { metricSeries, type TrainedRewardModel } from "./executor-record";
import { SCORE_WEIGHT } from "./head";
import type { RewardLossConfig } from "./losses";
import { rewardMetrics, type RewardMetrics } from "./metrics";
import { scoreSequences } from "./scorer-neural";
import { rewardBatchLoss } from "./step";
import { batchIndices } from "../train/batch-order";
import { lossConfigFor, plannedSteps, tokenizePairs } from "./train-neural-data";
import { disposeNeuralRewardModel, hiddenStatesOf, loadNeuralRewardModel, saveNeuralRewardModel, type NeuralRewardModel } from "./train-neural-model";
import { checkpointDir, loadRunState, saveRunState, type RewardRunState } from "./train-neural-state";

/** The built-in policy: the backbone when a run names none. */
export const DEFAULT_BACKBONE = "models/builtin";

interface NeuralRun {
  ctx: RunContext;
  config: RewardConfig;
  model: NeuralRewardModel;
  optimizer: AdamW;
  train: TokenizedPair[];
  validation: TokenizedPair[]; // decided pairs only
  lossConfig: RewardLossConfig;
  totalSteps: number;
  /** Steps the learning-rate schedule spans (epochs), >= totalSteps. */
  scheduleSteps: number;
  maxLength: number;
  bestDir: string;
}

/** One AdamW step on one batch; returns the batch loss before the update. */
function trainStep(run: NeuralRun, batch: TokenizedPair[], lr: number): number {
  const { model, optimizer } = run;
  const arrays = buildRewardBatch(batch, { maxLength: run.maxLength, padId: model.tokenizer.eosId });
  const hidden = hiddenStatesOf(model);
  const score = model.variables[SCORE_WEIGHT] as unknown as tf.Tensor2D;
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => rewardBatchLoss(hidden, score, arrays, run.lossConfig), Object.values(model.variables));
    const byName: Record<string, tf.Tensor> = {};
    for (const [name, v] of Object.entries(model.variables)) if (grads[v.name]) byName[name] = grads[v.name]!;
    optimizer.step(model.variables, byName, lr);
    return value.dataSync()[0]!;
  });
}

/** Held-out metrics of the current weights on the decided validation pairs. */
export function evaluateNeural(model: NeuralRewardModel, pairs: readonly TokenizedPair[], maxLength: number, batchRows: number): RewardMetrics {
  const scores = scoreSequences(model, [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)], { maxLength, batchRows });
  return rewardMetrics({
    chosen: scores.subarray(0, pairs.length),
    rejected: scores.subarray(pairs.length),
    weight: pairs.map((p) => p.weight ?? 1),
    margin: pairs.map((p) => p.margin ?? 0),
  });
}

/** Validation, best-model bookkeeping and a resumable checkpoint; true when training should stop. */
function evaluateAndSave(run: NeuralRun, state: RewardRunState, loss: number, previous: string | null): { stop: boolean; dir: string } {
  const held = evaluateNeural(run.model, run.validation, run.maxLength, 2 * run.config.batchSize);
  const decision = state.stopping.update(held.loss, state.step);
  if (decision === "improved") {
    state.best = held;
    saveNeuralRewardModel(run.bestDir, run.model, { mean: held.rewardMean, std: held.rewardStd });
  }
  run.ctx.progress({ step: state.step, loss, metrics: metricSeries(held), message: `validation: ${decision}` });
  const dir = checkpointDir(run.ctx.runDir, state.step);
  saveRunState(dir, run.model, run.optimizer, state, previous);
  run.ctx.checkpoint(dir, state.step);
  return { stop: decision === "stop", dir };
}

async function loop(run: NeuralRun, state: RewardRunState): Promise<void> {
  const { config, ctx, totalSteps } = run;
  const schedule = { learningRate: config.learningRate, minLearningRate: config.learningRate / 10, warmupSteps: Math.min(100, Math.ceil(run.scheduleSteps / 20)), maxSteps: run.scheduleSteps };
  const started = Date.now();
  const firstStep = state.step;
  let previous = ctx.resumeFrom?.dir ?? null;
  while (state.step < totalSteps) {
    ctx.throwIfCancelled();
    const batch = batchIndices(state.step, config.batchSize, run.train.length, config.seed).map((i) => run.train[i]!);
    const loss = trainStep(run, batch, learningRateAt(state.step, schedule));
    state.step++;
    const perStep = (Date.now() - started) / 1000 / (state.step - firstStep);
    if (state.step % config.evalInterval === 0 || state.step === totalSteps) {
      const saved = evaluateAndSave(run, state, loss, previous);
      previous = saved.dir;
      if (saved.stop) break;
    } else {
      ctx.progress({ step: state.step, loss, etaSeconds: perStep * (totalSteps - state.step) });
    }
    await new Promise((resolve) => setImmediate(resolve)); // let cancellation and logs through
  }
}

function prepare(ctx: RunContext, config: RewardConfig, data: RewardData, model: NeuralRewardModel): NeuralRun {
  const train = tokenizePairs(model.tokenizer, data.train);
  const validation = tokenizePairs(model.tokenizer, data.validation.filter((p) => !p.tie));
  const optimizer = new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0, gradClip: 1 });
  const maxLength = Math.min(config.maxLength, model.config.n_positions);
  const bestDir = path.join(ctx.runDir, "reward-model");
  const steps = plannedSteps(config, train.length);
  return { ctx, config, model, optimizer, train, validation, lossConfig: lossConfigFor(config, data.train), totalSteps: steps.total, scheduleSteps: steps.schedule, maxLength, bestDir };
}

export async function trainNeuralReward(ctx: RunContext, config: RewardConfig, data: RewardData): Promise<TrainedRewardModel> {
  const backend = await initBackend();
  const resume = ctx.resumeFrom;
  const model = loadNeuralRewardModel(resume?.dir ?? config.base ?? DEFAULT_BACKBONE, config.seed);
  const run = prepare(ctx, config, data, model);
  try {
    ctx.info({ backend: describeBackend(backend), totalSteps: run.totalSteps });
    const state = resume ? loadRunState(resume.dir, run.optimizer, config.patience) : { step: 0, stopping: new EarlyStopping(config.patience), best: null };
    await loop(run, state);
    if (!state.best) throw new Error("the validation loss never became finite: training diverged (try a smaller learningRate)");
    return { kind: "neural", path: run.bestDir, metrics: { ...state.best, trainPairs: run.train.length, steps: state.step, bestStep: state.stopping.bestStep } };
  } finally {
    run.optimizer.dispose();
    disposeNeuralRewardModel(model);
  }
}
