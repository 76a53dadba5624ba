// Pretrains the built-in policy: a small GPT-2 on the movie-review snippets, with a byte-level BPE
// tokenizer trained on the same text. `npx preflab pretrain` calls this; the result is an HF
// checkpoint directory plus training_log.json (settings, losses, timings) for the README.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { describeBackend, initBackend } from "./backend";
import { saveCheckpoint } from "./checkpoint/tfjs";
import { buildGpt2Graph, type Gpt2Config } from "./models/gpt2";
import { countParams, initParams } from "./models/params";
import { toTokenizerJson } from "./tokenizer/tokenizer-json";
import { tokenizerFromJson } from "./tokenizer/tokenizer";
import { trainBpe } from "./tokenizer/train-bpe";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "./train/config";
import { readMovieReviews, splitDocuments, tokenStream } from "./train/data";
import { evaluateLoss, trainLoop, type StepReport, type TrainableModel } from "./train/loop";
import { AdamW } from "./train/optimizer";

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
  train: Partial<TrainConfig>;
  log?: (line: string) => void;
}

export async function pretrain(o: PretrainOptions): Promise<{ valLoss: number; steps: number }> {
  const log = o.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const backend = await initBackend();
  log(`backend: ${describeBackend(backend)}`);
  const docs = splitDocuments(readMovieReviews(o.data), 0.05);
  const tokenizerJson = toTokenizerJson(trainBpe(docs.train, o.vocabSize));
  const tokenizer = tokenizerFromJson(tokenizerJson);
  const train = tokenStream(docs.train, tokenizer);
  const val = tokenStream(docs.val, tokenizer);
  log(`documents: ${docs.train.length} train / ${docs.val.length} val; tokens: ${train.length} / ${val.length}`);
  const config: Gpt2Config = {
    model_type: "gpt2", n_layer: o.nLayer, n_head: o.nHead, n_embd: o.nEmbd, n_positions: o.context,
    vocab_size: tokenizer.vocabSize, layer_norm_epsilon: 1e-5, activation_function: "gelu_new", initializer_range: 0.02,
  };
  const c: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, blockSize: o.context, ...o.train };
  const graph = buildGpt2Graph(config);
  const init = initParams(graph, c.seed);
  const model: TrainableModel = { graph, params: Object.fromEntries(Object.entries(init).map(([k, t]) => [k, tf.variable(t)])) };
  log(`model: ${countParams(graph)} parameters; config ${JSON.stringify(c)}`);
  const save = () => saveCheckpoint(o.out, { config, params: model.params, tokenizerJson, eosId: tokenizer.eosId });
  const history: StepReport[] = [];
  const optimizer = new AdamW(c);
  const last = await trainLoop({
    model, optimizer, config: c, train, val, timeLimitSeconds: o.maxMinutes ? o.maxMinutes * 60 : undefined,
    onStep: (r) => {
      if (r.step % 10 === 0 || r.valLoss !== undefined) {
        log(`step ${r.step} loss ${r.loss.toFixed(4)}${r.valLoss !== undefined ? ` val ${r.valLoss.toFixed(4)}` : ""} lr ${r.lr.toExponential(2)} ${r.tokensPerSecond.toFixed(0)} tok/s eta ${r.etaSeconds.toFixed(0)}s`);
        history.push(r);
      }
      if (r.step % o.saveEvery === 0) save();
    },
  });
  const valLoss = evaluateLoss(model, val, c, 32);
  save();
  const summary = { backend: describeBackend(backend), config, train: c, steps: last?.step ?? 0, valLoss, parameters: countParams(graph), history };
  writeFileSync(join(o.out, "training_log.json"), `${JSON.stringify(summary, null, 2)}\n`);
  log(`done: ${summary.steps} steps, validation loss ${valLoss.toFixed(4)} (${Math.exp(valLoss).toFixed(1)} perplexity)`);
  optimizer.dispose();
  return { valLoss, steps: summary.steps };
}
