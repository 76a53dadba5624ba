// Pretrains the built-in policy: a small GPT-2 on the movie-review snippets, with a byte-level BPE
// tokenizer trained on the same text. `npx preflab pretrain` calls this; the result is an HF
// checkpoint directory plus training_log.json (settings, losses, timings) for the README.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeBackend, initBackend } from "./backend";
import { saveCheckpoint } from "./checkpoint/tfjs";
import { countParams } from "./models/params";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "./train/config";
import { readMovieReviews, splitDocuments, tokenStream } from "./train/data";
import { evaluateLoss, trainLoop, type StepReport } from "./train/loop";
import { DataParallel } from "./train/data-parallel";
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
  /** Save an intermediate checkpoint every this many steps. */
  saveEvery: number;
  /** Threads computing gradients (1: this thread only; 2 uses both cores with wasm). */
  threads?: number;
  train: Partial<TrainConfig>;
  log?: (line: string) => void;
}

export async function pretrain(o: PretrainOptions): Promise<{ valLoss: number; steps: number }> {
  const log = o.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const backend = await initBackend();
  log(`backend: ${describeBackend(backend)}`);
  const c: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, blockSize: o.context, ...o.train };
  const docs = splitDocuments(readMovieReviews(o.data), 0.05);
  const setup = freshSetup(docs.train, { nLayer: o.nLayer, nEmbd: o.nEmbd, nHead: o.nHead, context: o.context, vocabSize: o.vocabSize }, c.seed);
  const train = tokenStream(docs.train, setup.tokenizer);
  const val = tokenStream(docs.val, setup.tokenizer);
  log(`documents: ${docs.train.length} train / ${docs.val.length} val; tokens: ${train.length} / ${val.length}`);
  log(`model: ${countParams(setup.model.graph)} parameters; config ${JSON.stringify(c)}`);
  const save = () => saveCheckpoint(o.out, { config: setup.config, params: setup.model.params, tokenizerJson: setup.tokenizerJson, eosId: setup.tokenizer.eosId });
  const history: StepReport[] = [];
  const optimizer = new AdamW(c);
  const parallel = (o.threads ?? 1) > 1 ? await DataParallel.start(setup.config, (o.threads ?? 1) - 1) : undefined;
  const last = await trainLoop({
    model: setup.model, optimizer, config: c, train, val, parallel, timeLimitSeconds: o.maxMinutes ? o.maxMinutes * 60 : undefined,
    onStep: (r) => {
      if (r.step % 10 === 0 || r.valLoss !== undefined) {
        log(`step ${r.step} loss ${r.loss.toFixed(4)}${r.valLoss !== undefined ? ` val ${r.valLoss.toFixed(4)}` : ""} lr ${r.lr.toExponential(2)} ${r.tokensPerSecond.toFixed(0)} tok/s eta ${r.etaSeconds.toFixed(0)}s`);
        history.push(r);
      }
      if (r.step % o.saveEvery === 0) save();
    },
  });
  await parallel?.close();
  const valLoss = evaluateLoss(setup.model, val, c, 32);
  save();
  const summary = { backend: describeBackend(backend), config: setup.config, train: c, steps: last?.step ?? 0, valLoss, parameters: countParams(setup.model.graph), history };
  writeFileSync(join(o.out, "training_log.json"), `${JSON.stringify(summary, null, 2)}\n`);
  log(`done: ${summary.steps} steps, validation loss ${valLoss.toFixed(4)} (${Math.exp(valLoss).toFixed(1)} perplexity)`);
  optimizer.dispose();
  disposeSetup(setup);
  return { valLoss, steps: summary.steps };
}
