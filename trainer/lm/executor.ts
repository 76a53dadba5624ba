// Executor of "pretrain" runs: language modelling on a text corpus, from scratch or from a policy,
// as an objective of the one training loop (trainer/train/loop.ts). The result is registered as a
// policy version.
import { readFileSync } from "node:fs";
import { parseConfig } from "../parse-config";
import { registerPolicyVersion } from "../../core/policy-versions";
import { describeBackend, initBackend } from "../backend";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "../train/config";
import { readMovieReviews, splitDocuments, tokenStream } from "../train/data";
import { DataParallel } from "../train/data-parallel";
import { lmRunConfigSchema, type LmRunConfig } from "../train/lm-run-config";
import { runTraining } from "../train/loop";
import { AdamW } from "../train/optimizer";
import { checkpointSetup, disposeSetup, freshSetup } from "../train/setup";
import { runHooks } from "../worker/loop-hooks";
import type { RunContext } from "../worker/run-context";
import { startCheckpoint } from "../worker/start-checkpoint";
import { languageModelObjective } from "./objective";
import { describeOrtEngine, resolveLmEngine } from "../onnx-train/engine";
import { withOrtEngine } from "../onnx-train/lm-engine";
import type { OrtTrainer } from "../onnx-train/ort-trainer";
import { contextLength } from "../models/model-config";

function documents(c: LmRunConfig): string[] {
  if (c.data.texts?.length) return c.data.texts;
  const file = c.data.file as string;
  if (c.data.format === "movie-reviews") return readMovieReviews(file);
  return readFileSync(file, "utf8").split("\n").map((l) => l.trim()).filter(Boolean);
}

export async function languageModelExecutor(ctx: RunContext): Promise<void> {
  const c = parseConfig(ctx.run.kind, lmRunConfigSchema, ctx.config);
  // tfjs holds the model in every case (it evaluates and saves): the asked-for backend, else the default one.
  const tfjsBackend = await initBackend(c.engine === "auto" || c.engine === "onnx" ? undefined : c.engine);
  const train: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, blockSize: c.model.context, ...c.train };
  const docs = splitDocuments(documents(c), 0.05);
  const start = ctx.resumeFrom?.dir ?? c.baseCheckpoint ?? startCheckpoint(ctx);
  const setup = start ? checkpointSetup(start) : freshSetup(docs.train, c.model, train.seed);
  train.blockSize = Math.min(train.blockSize, contextLength(setup.config));
  // `auto` takes a TensorFlow.js backend only when ONNX Runtime cannot train this model.
  const { engine, stepGraph } = await resolveLmEngine(c.engine, { graph: setup.model.graph, batch: train.batchSize, seq: train.blockSize, adamw: train });
  const backend = engine.kind === "tfjs" ? engine.backend : tfjsBackend;
  const threads = engine.kind === "tfjs" ? c.threads : 1;
  const described = engine.kind === "onnx" ? describeOrtEngine(engine.provider, engine.threads) : `${describeBackend(backend)}${threads > 1 ? ` × ${threads} gradient threads` : ""}`;
  ctx.info({ backend: described, totalSteps: train.maxSteps });
  const optimizer = new AdamW(train);
  const parallel = threads > 1 ? await DataParallel.start(setup.config, threads - 1) : undefined;
  let ort: OrtTrainer | undefined;
  try {
    const streams = { train: tokenStream(docs.train, setup.tokenizer), val: tokenStream(docs.val.length ? docs.val : docs.train, setup.tokenizer) };
    let objective = languageModelObjective({ setup, ...streams, batchSize: train.batchSize, blockSize: train.blockSize, seed: train.seed, evalBatches: train.evalBatches, parallel });
    if (engine.kind === "onnx") {
      ({ objective, trainer: ort } = await withOrtEngine(objective, { model: setup.model, adamw: train, batch: train.batchSize, seq: train.blockSize, provider: engine.provider, threads: engine.threads, stepGraph }));
    }
    const result = await runTraining({
      objective, optimizer, runDir: ctx.runDir, hooks: runHooks(ctx), resumeDir: ctx.resumeFrom?.dir,
      config: { totalSteps: train.maxSteps, schedule: train, evalInterval: train.evalInterval, checkpointInterval: c.checkpointEvery, progressInterval: c.progressEvery },
    });
    const policy = registerPolicyVersion(ctx.db, { parentId: ctx.run.basePolicyId, runId: ctx.run.id, projectId: ctx.run.projectId, path: result.modelDir, fallbackName: `pretrain-${ctx.run.id}` });
    ctx.artifact("checkpoint", result.modelDir, { ...result.metrics, final: true, policyId: policy.id }, result.steps);
  } finally {
    await ort?.release();
    await parallel?.close();
    optimizer.dispose();
    disposeSetup(setup);
  }
}
