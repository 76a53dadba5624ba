// The end of a policy run: test metrics and the held-out evaluation, then (only when everything
// succeeded) the new policy version with its ONNX export, so a failure leaves no half-registered
// policy behind.
import { registerPolicyVersion } from "../../core/policy-versions";
import { trainingRuns } from "../../db/schema";
import type { SampleConfig } from "../sample/config";
import { exportOnnx, onnxIsStale, onnxModelPath } from "../onnx/checkpoint";
import { evaluateSplit, type BatchOutput } from "./batch-output";
import type { Split } from "../reward/split";
import { runTraining, type LoopResult, type Objective } from "../train/loop";
import { runHooks } from "../worker/loop-hooks";
import type { RunContext } from "../worker/run-context";
import type { PolicyRunConfig } from "./config";
import { evaluatePolicy } from "./evaluate";
import { policyLoopConfig, type PolicyRunSetup } from "./run-setup";

/** Evaluates the run's model on the test prompts and registers it; returns the new policy id. */
export async function finishPolicyRun(ctx: RunContext, s: PolicyRunSetup, c: PolicyRunConfig, result: LoopResult, test: { metrics: Record<string, number>; prompts: string[] }): Promise<number> {
  ctx.progress({ step: result.steps, metrics: test.metrics, message: `test split: ${test.prompts.length} prompts` });
  const evaluation = await evaluatePolicy(ctx.db, {
    modelDir: result.modelDir, referenceDir: s.referenceDir, projectId: ctx.run.projectId, prompts: test.prompts,
    settings: c.evaluation, limits: s.limits, seed: c.seed, tokenizer: s.policy.setup.tokenizer,
  });
  if (onnxIsStale(result.modelDir)) exportOnnx(result.modelDir);
  const metrics: Record<string, number> = { ...result.trainMetrics, ...result.metrics, ...test.metrics };
  if (evaluation.klToReference !== null) metrics.kl_to_reference = evaluation.klToReference;
  if (evaluation.meanReward !== null) metrics.mean_reward = evaluation.meanReward;
  if (evaluation.rewardWinRate !== null) metrics.reward_win_rate = evaluation.rewardWinRate;
  const policy = registerPolicyVersion(ctx.db, {
    parentId: ctx.run.basePolicyId, runId: ctx.run.id, projectId: ctx.run.projectId, path: result.modelDir,
    fallbackName: `${ctx.run.kind}-${ctx.run.id}`, evaluation: { metrics, steps: result.steps, stoppedEarly: result.stoppedEarly, ...evaluation },
  });
  ctx.progress({ step: result.steps, metrics, message: `registered policy ${policy.name}@${policy.version} (id ${policy.id})` });
  ctx.artifact("checkpoint", result.modelDir, { final: true, policyId: policy.id, metrics }, result.steps);
  ctx.artifact("onnx", onnxModelPath(result.modelDir), { policyId: policy.id }, result.steps);
  if (c.sampleAfter) queueSampleRound(ctx, c.sampleAfter, policy.id, result.steps);
  return policy.id;
}

/** Closes the loop: the new version's samples against its parent's go to the labeling queue. */
function queueSampleRound(ctx: RunContext, sample: SampleConfig, policyId: number, step: number): void {
  const policyIds = sample.policyIds.length ? sample.policyIds : [policyId, ...(ctx.run.basePolicyId ? [ctx.run.basePolicyId] : [])];
  const run = ctx.db.insert(trainingRuns).values({ kind: "sample", projectId: ctx.run.projectId, config: { ...sample, policyIds }, createdBy: ctx.run.createdBy }).returning().get();
  ctx.progress({ step, message: `queued sample run ${run.id}: policies ${policyIds.join(", ")} on ${sample.maxPrompts} prompts` });
}

/**
 * The shared tail of every policy executor: the loop, the test split, the evaluation, the new
 * version. Under early stopping the run's model is the best checkpoint, not the last step's
 * weights, so those are put back before the test split is scored.
 */
export async function trainAndFinish<E extends { prompt: string }>(
  ctx: RunContext,
  s: PolicyRunSetup,
  c: PolicyRunConfig,
  split: Split<E>,
  objective: Objective<E[]>,
  batchOutput: (batch: readonly E[]) => BatchOutput,
): Promise<number> {
  const config = policyLoopConfig(c, split.train.length);
  ctx.info({ totalSteps: config.totalSteps });
  const result = await runTraining({ objective, optimizer: s.optimizer, config, runDir: ctx.runDir, hooks: runHooks(ctx), resumeDir: ctx.resumeFrom?.dir });
  if (result.modelStep !== result.steps) s.policy.restore(result.modelDir);
  const test = evaluateSplit(split.test, c.batchSize, batchOutput, "test_");
  return finishPolicyRun(ctx, s, c, result, { metrics: test, prompts: split.test.map((e) => e.prompt) });
}
