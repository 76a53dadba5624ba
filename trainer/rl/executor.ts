// Executor of "ppo", "grpo" and "rloo" runs: the project's prompts split by prompt (rollouts on
// the training side, validation for evaluation during the run, test for the end), the run's
// score source, a reference session on ONNX Runtime, then the one training loop with one
// rollout-and-update iteration per step (updates on the engine chosen: ONNX Runtime or
// TensorFlow.js), and a new policy version with its held-out evaluation.
import { eq } from "drizzle-orm";
import { prompts as promptsTable } from "../../db/schema";
import { openOnnxCheckpoint } from "../onnx/checkpoint";
import { parseConfig } from "../parse-config";
import { finishPolicyRun } from "../policy/finish";
import { choosePolicyEngine } from "../dpo/run-engine";
import { ortEngineOptions } from "../onnx-train/vjp-trainer";
import { disposePolicyRun, policyAdamW, policyLoopConfig, setUpPolicyRun, splitExamples, type PolicyRunSetup } from "../policy/run-setup";
import { tokenizeCompletion } from "../policy/sequences";
import { runTraining } from "../train/loop";
import { runHooks } from "../worker/loop-hooks";
import type { RunContext } from "../worker/run-context";
import { ALGORITHMS } from "./algorithms";
import { RL_CONFIG_SCHEMAS, type RlAlgorithm, type RlConfig } from "./config";
import { AdaptiveKlController, FixedKlController } from "./kl";
import { evaluatePrompts, restoreRlState, rlObjective, type RlPrompt, type RlRun } from "./objective";
import { createValueHead, valueGraph } from "./policy-forward";
import { OrtPolicyTrainer, policyOutputs, policyStepShape, VALUE_HEAD_BIAS, VALUE_HEAD_WEIGHT, withOrtPolicy } from "./ort-policy";
import { openScoreSource } from "./scores";
import { contextLength } from "../models/model-config";

/** The project's prompts, truncated so that every rollout has room for maxNewTokens. */
function projectPrompts(ctx: RunContext, s: PolicyRunSetup, c: RlConfig): RlPrompt[] {
  const context = contextLength(s.policy.setup.config);
  if (c.maxNewTokens >= context) throw new Error(`maxNewTokens (${c.maxNewTokens}) leaves no room for a prompt in the policy's context of ${context} tokens`);
  const limits = { maxLength: context, maxPromptLength: Math.min(s.limits.maxPromptLength, context - c.maxNewTokens) };
  const rows = ctx.db.select({ text: promptsTable.text }).from(promptsTable).where(eq(promptsTable.projectId, ctx.run.projectId!)).all();
  const texts = [...new Set(rows.map((r) => r.text))];
  return texts.map((text) => ({ text, ids: tokenizeCompletion(s.policy.setup.tokenizer, text, "", limits).promptIds }));
}

function klController(c: RlConfig) {
  return c.adaptiveKl ? new AdaptiveKlController(c.beta, c.adaptiveKl.target, c.adaptiveKl.horizon) : new FixedKlController(c.beta);
}

export async function rlExecutor(ctx: RunContext): Promise<void> {
  const kind = ctx.run.kind as RlAlgorithm;
  const c = parseConfig(kind, RL_CONFIG_SCHEMAS[kind], ctx.config);
  if (ctx.run.projectId === null) throw new Error(`a ${kind} run needs a project: its prompts are what the policy learns to answer`);
  const s = await setUpPolicyRun(ctx, c);
  const scores = await openScoreSource(ctx.db, { projectId: ctx.run.projectId, rewardModelId: c.rewardModelId, scoringFunction: c.scoringFunction, rewardClip: c.rewardClip, policyDir: s.referenceDir }).catch((error) => {
    disposePolicyRun(s);
    throw error;
  });
  const reference = await openOnnxCheckpoint(s.referenceDir, { intraOpNumThreads: 1 });
  const head = createValueHead(s.policy.setup.config);
  let ort: OrtPolicyTrainer | undefined;
  try {
    ctx.info({ backend: `${s.backend} · rollouts on ONNX Runtime` });
    const split = splitExamples(projectPrompts(ctx, s, c), (p) => p.text, c, "prompts");
    if (split.train.length < c.batchSize) throw new Error(`${split.train.length} training prompts are fewer than one rollout batch (batchSize ${c.batchSize}): add prompts or lower batchSize`);
    const shape = policyStepShape(split.train, c);
    const graph = valueGraph(s.policy.setup.config);
    const critic = ALGORITHMS[kind].critic;
    const engine = await choosePolicyEngine(ctx, s, c, { ...shape, graph, outputs: policyOutputs(critic), note: "rollouts on ONNX Runtime" });
    ctx.progress({ step: ctx.resumeFrom?.step ?? 0, message: `${kind} on ${split.train.length} training prompts × ${c.samplesPerPrompt} samples, scored by ${scores.describe}` });
    const variables = critic ? { ...s.policy.trainable, [VALUE_HEAD_WEIGHT]: head.weight, [VALUE_HEAD_BIAS]: head.bias } : s.policy.trainable;
    const run: RlRun = {
      rollout: { policy: s.policy, graph, head, reference, scores, config: c },
      updater: { policy: s.policy, graph, head, variables, algorithm: ALGORITHMS[kind], config: c },
      algorithm: ALGORITHMS[kind], controller: klController(c), train: split.train, validation: split.validation, config: c,
    };
    if (ctx.resumeFrom) restoreRlState(run, ctx.resumeFrom.dir);
    if (engine.kind === "onnx") ort = await OrtPolicyTrainer.create({ graph, variables, critic, ...shape, padId: s.policy.padId, adamw: policyAdamW(c), ...ortEngineOptions(engine) });
    const config = { ...policyLoopConfig(c, split.train.length), ...(c.iterations ? { totalSteps: c.iterations } : {}) };
    if (c.iterations) config.schedule = { ...config.schedule, maxSteps: c.iterations, warmupSteps: Math.round(c.warmupRatio * c.iterations) };
    ctx.info({ totalSteps: config.totalSteps });
    const objective = ort ? withOrtPolicy(rlObjective(run), run, ort) : rlObjective(run);
    const result = await runTraining({ objective, optimizer: s.optimizer, config, runDir: ctx.runDir, hooks: runHooks(ctx), resumeDir: ctx.resumeFrom?.dir });
    const test = await evaluatePrompts(run, split.test, c.seed + 2, "test_");
    await finishPolicyRun(ctx, s, c, result, { metrics: test, prompts: split.test.map((p) => p.text) });
  } finally {
    await ort?.release();
    scores.dispose();
    await reference.lm.release();
    head.weight.dispose();
    head.bias.dispose();
    disposePolicyRun(s);
  }
}
