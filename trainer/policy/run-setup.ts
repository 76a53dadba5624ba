// What every policy run (DPO family, KTO, SFT) does around its objective: load the starting policy
// (the reference too), split examples by prompt into train / validation / test, plan steps, build
// the loop's config, and read reference log-probs through the on-disk cache.
import path from "node:path";
import { describeBackend, initBackend } from "../backend";
import { referenceLogprobs } from "../dpo/reference";
import { splitByPrompt, type Split } from "../reward/split";
import { stepsForEpochs } from "../train/batch-order";
import type { LoopConfig } from "../train/loop";
import { AdamW, type AdamWOptions } from "../train/optimizer";
import type { RunContext } from "../worker/run-context";
import { startCheckpoint } from "../worker/start-checkpoint";
import type { PolicyRunConfig } from "./config";
import { truncationLimits, type TokenizedCompletion, type TruncationLimits } from "./sequences";
import { loadTrainablePolicy, type TrainablePolicy } from "./trainable-policy";
import { contextLength } from "../models/model-config";

export interface PolicyRunSetup {
  /** The starting policy's checkpoint: the reference of every KL and log-ratio. */
  referenceDir: string;
  policy: TrainablePolicy;
  optimizer: AdamW;
  limits: TruncationLimits;
  backend: string;
}

/** Every policy run's AdamW settings, on either engine (the ONNX Runtime step graph reads them too). */
export function policyAdamW(c: PolicyRunConfig): AdamWOptions {
  return { beta1: 0.9, beta2: 0.999, weightDecay: c.weightDecay, gradClip: c.maxGradNorm };
}

/** Loads the starting policy (or the run's checkpoint when resuming) and an AdamW for it. */
export async function setUpPolicyRun(ctx: RunContext, c: PolicyRunConfig): Promise<PolicyRunSetup> {
  const backend = describeBackend(await initBackend());
  const referenceDir = startCheckpoint(ctx);
  if (!referenceDir) throw new Error("a policy run needs a starting policy (none was resolved when it was queued)");
  const policy = loadTrainablePolicy(referenceDir, { lora: c.lora, seed: c.seed, resumeDir: ctx.resumeFrom?.dir });
  const optimizer = new AdamW(policyAdamW(c));
  const limits = truncationLimits(contextLength(policy.setup.config), c.maxLength, c.maxPromptLength);
  return { referenceDir, policy, optimizer, limits, backend: `${backend}${c.lora ? ` · LoRA r=${c.lora.rank}` : ""}` };
}

export function disposePolicyRun(s: PolicyRunSetup): void {
  s.optimizer.dispose();
  s.policy.dispose();
}

/** Train / validation / test by prompt; fails with a clear message when a side would be empty. */
export function splitExamples<T>(items: readonly T[], promptOf: (item: T) => string, c: PolicyRunConfig, what: string): Split<T> {
  const split = splitByPrompt(items, promptOf, { validationFraction: c.validationFraction, testFraction: c.testFraction, seed: c.seed });
  if (split.train.length === 0 || split.validation.length === 0 || (c.testFraction > 0 && split.test.length === 0)) {
    const prompts = new Set(items.map(promptOf)).size;
    throw new Error(`${items.length} ${what} over ${prompts} prompts are too few to split into training, validation and test prompts: label more prompts`);
  }
  return split;
}

/** The loop's settings: epochs (capped by maxSteps), warm-up then cosine decay to a tenth, early stopping on validation loss. */
export function policyLoopConfig(c: PolicyRunConfig, trainExamples: number): LoopConfig {
  const scheduleSteps = stepsForEpochs(c.epochs, trainExamples, c.batchSize);
  const totalSteps = Math.min(c.maxSteps ?? scheduleSteps, scheduleSteps);
  return {
    totalSteps,
    schedule: { learningRate: c.learningRate, minLearningRate: c.learningRate / 10, warmupSteps: Math.round(c.warmupRatio * scheduleSteps), maxSteps: scheduleSteps },
    evalInterval: c.evalInterval,
    checkpointInterval: c.checkpointEvery,
    progressInterval: c.progressEvery,
    earlyStopping: c.patience ? { metric: "eval_loss", mode: "min", patience: c.patience } : undefined,
  };
}

/** Reference log-probs of `rows` (cached under the runs root, shared by runs on the same data and reference). */
export async function referenceFor(ctx: RunContext, s: PolicyRunSetup, rows: TokenizedCompletion[]): Promise<Float64Array> {
  ctx.progress({ step: ctx.resumeFrom?.step ?? 0, message: `reference log-probs of ${rows.length} completions (ONNX Runtime, cached)` });
  return referenceLogprobs(s.referenceDir, rows, { cacheDir: path.join(path.dirname(ctx.runDir), "reference-cache") });
}
