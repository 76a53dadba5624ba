/**
 * The neural reward run: a GPT-2 backbone (models/builtin unless `base` names another checkpoint)
 * plus a scalar head, trained by the one loop (trainer/train/loop.ts) as the objective of
 * objective.ts. Early stopping selects on the validation split's loss and keeps that model; the
 * kept model, read back from disk as it is registered, is then scored on the test split, which
 * nothing trained or selected on: those are the numbers the reward model reports.
 */
import { initBackend } from "../backend";
import { stepsForEpochs } from "../train/batch-order";
import { runTraining, type LoopConfig } from "../train/loop";
import { AdamW, type AdamWOptions } from "../train/optimizer";
import { runHooks } from "../worker/loop-hooks";
import type { RunContext } from "../worker/run-context";
import type { TokenizedPair } from "./batch";
import type { RewardConfig } from "./config";
import { decidedPairs, type RewardData, type RewardTrainingPair } from "./executor-data";
import { metricSeries, type TrainedRewardModel } from "./executor-record";
import { evaluatePairs, rewardObjective } from "./objective";
import { lossConfigFor, tokenizePairs } from "./train-neural-data";
import { disposeNeuralRewardModel, loadNeuralRewardModel } from "./train-neural-model";
import { contextLength } from "../models/model-config";
import { ortEngineOptions, type OrtVjpTrainer } from "../onnx-train/vjp-trainer";
import { chooseRewardEngine, rewardStepLength, withOrtRewards, type RewardRows } from "./ort-rewards";

/** The reward step's AdamW, on either engine: no decay, one global-norm clip at 1. */
export const REWARD_ADAMW: AdamWOptions = { beta1: 0.9, beta2: 0.999, weightDecay: 0, gradClip: 1 };

/** The built-in policy: the backbone when a run names none. */
export const DEFAULT_BACKBONE = "models/builtin";

/**
 * The schedule spans `epochs` passes over the training pairs; maxSteps only cuts the run short (a
 * time budget), so a capped run and a longer one share their first steps exactly. A resumable
 * checkpoint at every validation; early stopping on the validation loss.
 */
export function rewardLoopConfig(config: RewardConfig, trainPairs: number): LoopConfig {
  const scheduleSteps = stepsForEpochs(config.epochs, trainPairs, config.batchSize);
  return {
    totalSteps: Math.min(config.maxSteps ?? scheduleSteps, scheduleSteps),
    schedule: {
      learningRate: config.learningRate,
      minLearningRate: config.learningRate / 10,
      warmupSteps: Math.min(100, Math.ceil(scheduleSteps / 20)),
      maxSteps: scheduleSteps,
    },
    evalInterval: config.evalInterval,
    checkpointInterval: 0,
    progressInterval: 1,
    earlyStopping: { metric: "val_loss", mode: "min", patience: config.patience },
  };
}

/** Test metrics of the model saved in `dir`, and the reward moments saved with it. */
function scoreSaved(dir: string, test: readonly TokenizedPair[], maxLength: number, batchRows: number) {
  const model = loadNeuralRewardModel(dir, 0, true);
  try {
    const normalization = model.rewardMean !== undefined && model.rewardStd !== undefined ? { mean: model.rewardMean, std: model.rewardStd } : undefined;
    return { metrics: evaluatePairs(model, test, maxLength, batchRows), normalization };
  } finally {
    disposeNeuralRewardModel(model);
  }
}

export async function trainNeuralReward(ctx: RunContext, config: RewardConfig, data: RewardData): Promise<TrainedRewardModel> {
  await initBackend(); // tfjs evaluates and saves, whichever engine trains
  const resumeDir = ctx.resumeFrom?.dir;
  const model = loadNeuralRewardModel(resumeDir ?? config.base ?? DEFAULT_BACKBONE, config.seed);
  const optimizer = new AdamW(REWARD_ADAMW);
  let ort: OrtVjpTrainer<RewardRows> | undefined;
  try {
    const tokenize = (pairs: readonly RewardTrainingPair[]) => tokenizePairs(model.tokenizer, pairs);
    const [train, validation, test] = [tokenize(data.train), tokenize(decidedPairs(data.validation)), tokenize(decidedPairs(data.test))];
    const maxLength = Math.min(config.maxLength, contextLength(model.config));
    const loop = rewardLoopConfig(config, train.length);
    ctx.info({ totalSteps: loop.totalSteps }); // the engine is named once chosen
    const lossConfig = lossConfigFor(config, data.train);
    let objective = rewardObjective(model, { train, validation }, { batchSize: config.batchSize, seed: config.seed, maxLength, lossConfig });
    const seq = rewardStepLength(train, maxLength);
    const engine = await chooseRewardEngine(ctx, model, config.engine, { rows: 2 * config.batchSize, seq, adamw: REWARD_ADAMW });
    if (engine.kind === "onnx") {
      ({ objective, trainer: ort } = await withOrtRewards(objective, model, { lossConfig, adamw: REWARD_ADAMW, batchSize: config.batchSize, seq, maxLength, ...ortEngineOptions(engine) }));
    }
    const result = await runTraining({ objective, optimizer, config: loop, runDir: ctx.runDir, hooks: runHooks(ctx), resumeDir });
    const held = scoreSaved(result.modelDir, test, maxLength, 2 * config.batchSize);
    ctx.progress({ step: result.steps, metrics: metricSeries(held.metrics, "test_"), message: `test split: ${test.length} pairs on prompts never trained or selected on` });
    return {
      kind: "neural",
      path: result.modelDir,
      metrics: { ...held.metrics, ...result.metrics, val_pairs: validation.length, trainPairs: train.length, steps: result.steps, stoppedEarly: Number(result.stoppedEarly) },
      normalization: held.normalization,
    };
  } finally {
    await ort?.release();
    optimizer.dispose();
    disposeNeuralRewardModel(model);
  }
}
