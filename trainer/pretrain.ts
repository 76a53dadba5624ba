// Pretrains the built-in policy: a small GPT-2 on the movie-review snippets, with a byte-level BPE
// tokenizer trained on the same text. `npx preflab pretrain` calls this; the result is an HF
// checkpoint directory plus training_log.json (settings, losses, timings) for the README.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { initModelBackend, lmEngine, type LmEngine } from "./lm/engine-setup";
import { languageModelObjective } from "./lm/objective";
import { countParams } from "./models/params";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "./train/config";
import { readMovieReviews, splitDocuments, tokenStream } from "./train/data";
import { evaluateLoss } from "./train/lm-step";
import { runTraining, type LoopHooks, type ProgressRow } from "./train/loop";
import type { TrainingEngine } from "./onnx-train/engine";
import { AdamW } from "./train/optimizer";
import { disposeSetup, freshSetup } from "./train/setup";

export interface PretrainOptions {
  /** Output checkpoint directory. */
  out: string;
  /** Movie-review snippets file (tab-separated, text in column 3). */
  data: string;
  vocabSize: number;
  nLayer: number;
  nEmbd: number;
  nHead: number;
  /** Context length (n_positions); training windows use all of it. */
  context: number;
  /** Stop after this many minutes even if maxSteps is not reached (the LR schedule follows time). */
  maxMinutes?: number;
  /** Save a resumable checkpoint (in <out>.run/) every this many steps. */
  saveEvery: number;
  /** Threads computing gradients on TensorFlow.js (1: this thread only; 2 uses both cores with wasm). */
  threads?: number;
  /** The training engine (default auto: ONNX Runtime when it can train the model). */
  engine?: TrainingEngine;
  train: Partial<TrainConfig>;
  log?: (line: string) => void;
}

/** The loop's hooks for a run outside the worker: log lines, no database. */
function logHooks(log: (line: string) => void, history: ProgressRow[]): LoopHooks {
  return {
    progress: (r) => {
      if (r.step % 10 !== 0 && r.metrics?.val_loss === undefined) return;
      const m = r.metrics ?? {};
      log(`step ${r.step} loss ${r.loss?.toFixed(4)}${m.val_loss !== undefined ? ` val ${m.val_loss.toFixed(4)}` : ""} lr ${m.lr?.toExponential(2)} ${r.tokensPerSecond?.toFixed(0)} tok/s eta ${r.etaSeconds?.toFixed(0)}s`);
      history.push(r);
    },
    checkpoint: (dir, step) => log(`checkpoint at step ${step}: ${dir}`),
    throwIfCancelled: () => {},
  };
}

export async function pretrain(o: PretrainOptions): Promise<{ valLoss: number; steps: number }> {
  const log = o.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  await initModelBackend(o.engine ?? "auto");
  const c: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, blockSize: o.context, ...o.train };
  const docs = splitDocuments(readMovieReviews(o.data), 0.05);
  const setup = freshSetup(docs.train, { nLayer: o.nLayer, nEmbd: o.nEmbd, nHead: o.nHead, context: o.context, vocabSize: o.vocabSize }, c.seed);
  const train = tokenStream(docs.train, setup.tokenizer);
  const val = tokenStream(docs.val, setup.tokenizer);
  log(`documents: ${docs.train.length} train / ${docs.val.length} val; tokens: ${train.length} / ${val.length}`);
  log(`model: ${countParams(setup.model.graph)} parameters; config ${JSON.stringify(c)}`);
  const history: ProgressRow[] = [];
  const optimizer = new AdamW(c);
  let engine: LmEngine | undefined;
  try {
    engine = await lmEngine(o.engine ?? "auto", setup, c, o.threads ?? 1);
    log(`engine: ${engine.described}`);
    const objective = await engine.wrap(languageModelObjective({ setup, train, val, batchSize: c.batchSize, blockSize: c.blockSize, seed: c.seed, evalBatches: c.evalBatches, parallel: engine.parallel }));
    // Checkpoints and the loop's own files go beside the output; the output gets the final model only.
    const result = await runTraining({
      objective, optimizer, runDir: `${o.out}.run`, hooks: logHooks(log, history),
      config: { totalSteps: c.maxSteps, schedule: c, evalInterval: c.evalInterval, checkpointInterval: o.saveEvery, progressInterval: 10, timeLimitSeconds: o.maxMinutes ? o.maxMinutes * 60 : undefined },
    });
    // save() syncs the weights from the engine into the tfjs model the final evaluation reads.
    objective.save(o.out);
    const valLoss = evaluateLoss(setup.model, val, c, 32);
    const summary = { backend: engine.described, config: setup.config, train: c, steps: result.steps, valLoss, parameters: countParams(setup.model.graph), history };
    writeFileSync(join(o.out, "training_log.json"), `${JSON.stringify(summary, null, 2)}\n`);
    rmSync(`${o.out}.run`, { recursive: true, force: true });
    log(`done: ${summary.steps} steps, validation loss ${valLoss.toFixed(4)} (${Math.exp(valLoss).toFixed(1)} perplexity)`);
    return { valLoss, steps: summary.steps };
  } finally {
    await engine?.release();
    optimizer.dispose();
    disposeSetup(setup);
  }
}
