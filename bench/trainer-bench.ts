// TensorFlow.js training and generation throughput on this machine, per available backend:
// forward+backward+AdamW tokens/s and achieved GFLOP/s at the built-in model's shape (wasm also
// with a second gradient thread) and at GPT-2 small's (with PREFLAB_BENCH_LARGE=1: minutes per
// step on wasm), generation tokens/s with and without the KV cache, a 512² matmul for orientation.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import * as tf from "@tensorflow/tfjs-core";
import { availableBackends, initBackend } from "../trainer/backend";
import { generate } from "../trainer/generate";
import { disposeLanguageModel, languageModel, loadLanguageModel, type LanguageModel } from "../trainer/language-model";
import { buildGpt2Graph, type Gpt2Config } from "../trainer/models/gpt2";
import { initParams } from "../trainer/models/params";
import { tinyLanguageModel } from "../trainer/test-fixtures";
import { DEFAULT_TRAIN_CONFIG } from "../trainer/train/config";
import { DataParallel } from "../trainer/train/data-parallel";
import { trainStep, type TrainableModel } from "../trainer/train/lm-step";
import { AdamW } from "../trainer/train/optimizer";
import { best, bestOf } from "./timing";

type Row = Record<string, string | number>;
const cores = availableParallelism();
const GPT2_SMALL: Gpt2Config = {
  model_type: "gpt2", n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257,
  layer_norm_epsilon: 1e-5, activation_function: "gelu_new",
};

/** Forward FLOPs per token (2 per weight use, plus attention products); training ≈ 3×. */
function flopsPerToken(c: Gpt2Config, context: number): number {
  const e = c.n_embd;
  return 2 * c.n_layer * 12 * e * e + 2 * e * c.vocab_size + 4 * c.n_layer * context * e;
}

async function trainRow(backend: string, name: string, config: Gpt2Config, batch: number, seq: number, reps: number, threads = 1): Promise<Row> {
  const graph = buildGpt2Graph(config);
  const init = initParams(graph, 1);
  const model: TrainableModel = { graph, params: Object.fromEntries(Object.entries(init).map(([k, t]) => [k, tf.variable(t)])) };
  const ids = () => Array.from({ length: batch }, (_, b) => Array.from({ length: seq }, (_, t) => (b * 31 + t * 7) % config.vocab_size));
  const data = { inputs: ids(), targets: ids() };
  const optimizer = new AdamW(DEFAULT_TRAIN_CONFIG);
  const parallel = threads > 1 ? await DataParallel.start(config, threads - 1) : undefined;
  const secs = await bestOf(reps, async () => (parallel ? parallel.trainStep(model, optimizer, data, 1e-4) : trainStep(model, optimizer, data, 1e-4)));
  await parallel?.close();
  optimizer.dispose();
  tf.dispose([...Object.values(init), ...Object.values(model.params)]);
  const tokens = batch * seq;
  const gflops = (3 * flopsPerToken(config, seq) * tokens) / secs / 1e9;
  return { bench: "trainer", backend, model: name, metric: `train tok/s (B=${batch},T=${seq},AdamW,${threads} thread${threads > 1 ? "s" : ""})`, value: Number((tokens / secs).toFixed(1)), note: `${gflops.toFixed(2)} GFLOP/s`, cores };
}

function benchModel(): LanguageModel {
  if (existsSync("models/builtin/config.json")) return loadLanguageModel("models/builtin");
  const tiny = tinyLanguageModel(1);
  const config: Gpt2Config = { ...tiny.config, n_layer: 4, n_head: 4, n_embd: 128, n_positions: 64, initializer_range: 0.02 };
  return languageModel(config, tiny.tokenizer, initParams(buildGpt2Graph(config), 1));
}

function generationRows(backend: string, model: LanguageModel): Row[] {
  const rows: Row[] = [];
  for (const batch of [1, 4]) {
    for (const useCache of [true, false]) {
      let tokens = 0;
      const secs = best(2, () => {
        tokens = generate(model, Array(batch).fill("The movie"), { maxNewTokens: 32, temperature: 1, seed: 1, useCache }).reduce((a, g) => a + g.tokenIds.length, 0);
      });
      rows.push({ bench: "trainer", backend, model: "builtin", metric: `generate tok/s (B=${batch}, ${useCache ? "KV cache" : "no cache"})`, value: Number((tokens / secs).toFixed(1)), note: `${tokens} tokens`, cores });
    }
  }
  return rows;
}

function matmulRow(backend: string): Row {
  const a = tf.randomNormal([512, 512]);
  const secs = best(5, () => tf.matMul(a, a).dataSync());
  a.dispose();
  return { bench: "trainer", backend, model: "-", metric: "matmul 512² GFLOP/s", value: Number(((2 * 512 ** 3) / secs / 1e9).toFixed(1)), note: "", cores };
}

/** GPT-2 small; on wasm this aborts at the 4 GiB heap cap (124M params + AdamW + activations). */
async function largeRow(backend: string): Promise<Row> {
  try {
    return await trainRow(backend, "gpt2-small", GPT2_SMALL, 4, 128, 1);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { bench: "trainer", backend, model: "gpt2-small", metric: "train tok/s (B=4,T=128,AdamW)", value: "failed", note: message, cores };
  }
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const backend of await availableBackends()) {
    await initBackend(backend);
    rows.push(matmulRow(backend));
    const model = benchModel();
    if (model.config.model_type !== "gpt2") throw new Error("trainer bench: models/builtin is not a GPT-2 checkpoint");
    const seq = Math.min(128, model.config.n_positions);
    rows.push(await trainRow(backend, "builtin", model.config, 4, seq, backend === "cpu" ? 1 : 3));
    if (backend === "wasm") rows.push(await trainRow(backend, "builtin", model.config, 4, seq, 3, 2));
    rows.push(...generationRows(backend, model));
    disposeLanguageModel(model);
    if (process.env.PREFLAB_BENCH_LARGE === "1" && backend !== "cpu") rows.push(await largeRow(backend));
  }
  if (process.env.PREFLAB_BENCH_LARGE !== "1") rows.push({ bench: "trainer", backend: "-", model: "gpt2-small", metric: "train tok/s (B=4,T=128,AdamW)", value: "skipped", note: "set PREFLAB_BENCH_LARGE=1 (minutes per step on wasm)", cores });
  return rows;
}
