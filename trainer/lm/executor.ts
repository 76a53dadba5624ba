// Executor of "pretrain" runs: language modelling on a text corpus, from scratch or from a policy,
// as an objective of the one training loop (trainer/train/loop.ts). The result is registered as a
// policy version.
import { readFileSync } from "node:fs";
import { parseConfig } from "../parse-config";
import { registerPolicyVersion } from "../../core/policy-versions";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "../train/config";
import { readMovieReviews, splitDocuments, tokenStream } from "../train/data";
import { lmRunConfigSchema, type LmRunConfig } from "../train/lm-run-config";
import { runTraining } from "../train/loop";
import { AdamW } from "../train/optimizer";
import { checkpointSetup, disposeSetup, freshSetup } from "../train/setup";
import { runHooks } from "../worker/loop-hooks";
import type { RunContext } from "../worker/run-context";
import { startCheckpoint } from "../worker/start-checkpoint";
import { initModelBackend, lmEngine, type LmEngine } from "./engine-setup";
import { languageModelObjective } from "./objective";
import { contextLength } from "../models/model-config";

function documents(c: LmRunConfig): string[] {
  if (c.data.texts?.length) return c.data.texts;
  const file = c.data.file as string;
  if (c.data.format === "movie-reviews") return readMovieReviews(file);
  return readFileSync(file, "utf8").split("\n").map((l) => l.trim()).filter(Boolean);
}

export async function languageModelExecutor(ctx: RunContext): Promise<void> {
  const c = parseConfig(ctx.run.kind, lmRunConfigSchema, ctx.config);
  await initModelBackend(c.engine);
  const train: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, blockSize: c.model.context, ...c.train };
  const docs = splitDocuments(documents(c), 0.05);
  const start = ctx.resumeFrom?.dir ?? c.baseCheckpoint ?? startCheckpoint(ctx);
  const setup = start ? checkpointSetup(start) : freshSetup(docs.train, c.model, train.seed);
  train.blockSize = Math.min(train.blockSize, contextLength(setup.config));
  // `auto` takes a TensorFlow.js backend only when ONNX Runtime cannot train this model.
  const optimizer = new AdamW(train);
  let engine: LmEngine | undefined;
  try {
    engine = await lmEngine(c.engine, setup, train, c.threads);
    ctx.info({ backend: engine.described, totalSteps: train.maxSteps });
    const streams = { train: tokenStream(docs.train, setup.tokenizer), val: tokenStream(docs.val.length ? docs.val : docs.train, setup.tokenizer) };
    const objective = await engine.wrap(languageModelObjective({ setup, ...streams, batchSize: train.batchSize, blockSize: train.blockSize, seed: train.seed, evalBatches: train.evalBatches, parallel: engine.parallel }));
    const result = await runTraining({
      objective, optimizer, runDir: ctx.runDir, hooks: runHooks(ctx), resumeDir: ctx.resumeFrom?.dir,
      config: { totalSteps: train.maxSteps, schedule: train, evalInterval: train.evalInterval, checkpointInterval: c.checkpointEvery, progressInterval: c.progressEvery },
    });
    const policy = registerPolicyVersion(ctx.db, { parentId: ctx.run.basePolicyId, runId: ctx.run.id, projectId: ctx.run.projectId, path: result.modelDir, fallbackName: `pretrain-${ctx.run.id}` });
    ctx.artifact("checkpoint", result.modelDir, { ...result.metrics, final: true, policyId: policy.id }, result.steps);
  } finally {
    await engine?.release();
    optimizer.dispose();
    disposeSetup(setup);
  }
}
