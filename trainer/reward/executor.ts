/**
 * The worker's executor for run kind "reward": reads the run config, the project's pairs (one
 * derivation, fail-fast checks), trains the linear or the neural model, and records the result
 * as a reward model of the project. The neural trainer (TensorFlow.js) loads only when needed.
 */
import type { Executor } from "../worker/run-context";
import { parseRewardConfig } from "./config";
import { describeData, loadRewardData } from "./executor-data";
import { recordRewardModel } from "./executor-record";
import { trainLinearReward } from "./train-linear";

export const rewardExecutor: Executor = async (ctx) => {
  const config = parseRewardConfig(ctx.config);
  if (ctx.run.projectId === null) throw new Error("a reward run needs a project: its judgements are the training data");
  const data = loadRewardData(ctx.db, ctx.run.projectId, config);
  ctx.progress({ step: ctx.resumeFrom?.step ?? 0, message: `${config.kind} reward model on ${describeData(data)}` });
  const train = config.kind === "linear" ? trainLinearReward : (await import("./train-neural")).trainNeuralReward;
  const model = await train(ctx, config, data);
  recordRewardModel(ctx, model, config.name);
};
