// Executor for language-model runs ("pretrain" from scratch, "sft" from a checkpoint): the
// nanoGPT loop of trainer/train with progress rows, resumable checkpoints at an interval and at
// the end, cancellation between steps, and resumption from the last checkpoint after a crash.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeBackend, initBackend } from "../backend";
import { saveCheckpoint } from "../checkpoint/tfjs";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "../train/config";
import { readMovieReviews, splitDocuments, tokenStream } from "../train/data";
import { lmRunConfigSchema, type LmRunConfig } from "../train/lm-run-config";
import { evaluateLoss, trainLoop, type StepReport } from "../train/loop";
import { DataParallel } from "../train/data-parallel";
import { AdamW } from "../train/optimizer";
import { loadTrainerState, saveTrainerState } from "../train/resume";
import { checkpointSetup, disposeSetup, freshSetup, type TrainingSetup } from "../train/setup";
import { basePolicyCheckpoint, registerPolicy } from "./lm-policy";
import type { RunContext } from "./run-context";

function documents(c: LmRunConfig): string[] {
  if (c.data.texts?.length) return c.data.texts;
  const file = c.data.file as string;
  if (c.data.format === "movie-reviews") return readMovieReviews(file);
  return readFileSync(file, "utf8").split("\n").map((l) => l.trim()).filter(Boolean);
}

/** Writes a checkpoint of the run at `step` (resumable: with optimizer state) and returns its directory. */
function saveRunCheckpoint(ctx: RunContext, s: TrainingSetup, optimizer: AdamW, step: number, name: string): string {
  const dir = join(ctx.runDir, name);
  mkdirSync(dir, { recursive: true });
  saveCheckpoint(dir, { config: s.config, params: s.model.params, tokenizerJson: s.tokenizerJson, eosId: s.tokenizer.eosId });
  saveTrainerState(dir, optimizer, step);
  return dir;
}

function progressRow(r: StepReport) {
  const metrics: Record<string, number> = { gradNorm: r.gradNorm, lr: r.lr };
  if (r.valLoss !== undefined) metrics.valLoss = r.valLoss;
  return { step: r.step, loss: r.loss, metrics, tokensPerSecond: r.tokensPerSecond, etaSeconds: r.etaSeconds };
}

/** The executor: see the file comment. */
export async function languageModelExecutor(ctx: RunContext): Promise<void> {
  const c = lmRunConfigSchema.parse(ctx.config);
  const backend = await initBackend();
  const train: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, blockSize: c.model.context, ...c.train };
  const docs = splitDocuments(documents(c), 0.05);
  const resume = ctx.resumeFrom;
  const base = c.baseCheckpoint ?? basePolicyCheckpoint(ctx.db, ctx.run);
  const setup = resume ? checkpointSetup(resume.dir) : base ? checkpointSetup(base) : freshSetup(docs.train, c.model, train.seed);
  train.blockSize = Math.min(train.blockSize, setup.config.n_positions);
  ctx.info({ backend: `${describeBackend(backend)}${c.threads > 1 ? ` × ${c.threads} gradient threads` : ""}`, totalSteps: train.maxSteps });
  const optimizer = new AdamW(train);
  const parallel = c.threads > 1 ? await DataParallel.start(setup.config, c.threads - 1) : undefined;
  try {
    const startStep = resume ? loadTrainerState(resume.dir, optimizer).step : 0;
    const streams = { train: tokenStream(docs.train, setup.tokenizer), val: tokenStream(docs.val.length ? docs.val : docs.train, setup.tokenizer) };
    await trainLoop({
      model: setup.model, optimizer, config: train, ...streams, startStep, parallel,
      onStep: async (r) => {
        if (r.step % c.progressEvery === 0 || r.valLoss !== undefined) ctx.progress(progressRow(r));
        if (r.step % c.checkpointEvery === 0 && r.step < train.maxSteps) ctx.checkpoint(saveRunCheckpoint(ctx, setup, optimizer, r.step, `checkpoint-${r.step}`), r.step);
        ctx.throwIfCancelled();
        await new Promise((resolve) => setImmediate(resolve)); // let IPC and timers run between steps
      },
    });
    const valLoss = evaluateLoss(setup.model, streams.val, train);
    ctx.progress({ step: train.maxSteps, metrics: { valLoss }, message: `validation loss ${valLoss.toFixed(4)}` });
    const dir = saveRunCheckpoint(ctx, setup, optimizer, train.maxSteps, "final");
    const policyId = registerPolicy(ctx.db, ctx.run, dir);
    ctx.artifact("checkpoint", dir, { valLoss, final: true, policyId }, train.maxSteps);
  } finally {
    await parallel?.close();
    optimizer.dispose();
    disposeSetup(setup);
  }
}
