// Batched text generation on tfjs with a KV cache: prompts are left-padded (so every row's next
// token sits in the last column), sampled with temperature / top-k / top-p from a seeded RNG, and
// stopped by eos, stop strings or the token budget. Returns text, ids and per-token log-probs.
import * as tf from "@tensorflow/tfjs-core";
import { executeGraph } from "./graph/tfjs-exec";
import { checkContext, type LanguageModel } from "./language-model";
import { makeRng } from "./rng";
import { logSoftmaxRow, sampleToken, type SamplingOptions } from "./sampling";
import { contextLength, modelDims } from "./models/model-config";
import { encodePrompt } from "./tokenizer/sequence-start";

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  /** Generation ends when the decoded text contains one of these (the text is cut before it). */
  stop: string[];
  seed: number;
  /** Reuse keys/values of earlier positions (false recomputes the whole prefix every step). */
  useCache: boolean;
}

export const DEFAULT_GENERATE: GenerateOptions = { maxNewTokens: 48, temperature: 1, topK: 0, topP: 1, stop: [], seed: 0, useCache: true };

export interface Generation {
  text: string;
  /** Generated ids (eos excluded). */
  tokenIds: number[];
  /** The model's log p of each generated id at temperature 1 (unfiltered), for PPO and evaluation. */
  logprobs: number[];
  finishReason: "eos" | "stop" | "length";
}

// Per row and column: token id, attention (0 for left padding) and position id.
interface Rows { ids: number[][]; mask: number[][]; pos: number[][] }

function leftPad(model: LanguageModel, prompts: string[]): Rows {
  const eos = model.tokenizer.eosId;
  const encoded = prompts.map((p) => {
    const ids = encodePrompt(model.tokenizer, p);
    checkContext(model, ids.length, "prompt");
    return ids;
  });
  const width = Math.max(...encoded.map((e) => e.length));
  return {
    ids: encoded.map((e) => [...Array(width - e.length).fill(eos), ...e]),
    mask: encoded.map((e) => [...Array(width - e.length).fill(0), ...e.map(() => 1)]),
    pos: encoded.map((e) => [...Array(width - e.length).fill(0), ...e.map((_, t) => t)]),
  };
}

/** Runs one forward step; returns last-position logits [batch, vocab] and the new cache. */
function step(model: LanguageModel, rows: Rows, past: Record<string, tf.Tensor> | undefined, o: GenerateOptions) {
  return tf.tidy(() => {
    const b = rows.ids.length;
    const feedAll = !o.useCache || !past;
    const feed = feedAll ? rows.ids : rows.ids.map((r) => [r[r.length - 1]]);
    const seq = feed[0].length;
    const positions = rows.pos.map((p) => p.slice(p.length - seq));
    const values: Record<string, tf.Tensor> = {
      ...model.params,
      ...(o.useCache ? model.cachedFolded : model.folded),
      input_ids: tf.tensor2d(feed, [b, seq], "int32"),
      attention_mask: tf.tensor2d(rows.mask, undefined, "int32"),
      position_ids: tf.tensor2d(positions, [b, seq], "int32"),
    };
    if (!o.useCache) return { logits: lastLogits(executeGraph(model.graph, values, ["logits"]).logits), cache: undefined };
    const { layers, kvHeads, headDim } = modelDims(model.config);
    for (let i = 0; i < layers; i++) {
      for (const kind of ["key", "value"]) values[`past_key_values.${i}.${kind}`] = past?.[`present.${i}.${kind}`] ?? tf.zeros([b, kvHeads, 0, headDim]);
    }
    const out = executeGraph(model.cachedGraph, values);
    const cache = Object.fromEntries(Object.entries(out).filter(([k]) => k.startsWith("present.")));
    return { logits: lastLogits(out.logits), cache };
  });
}

function lastLogits(logits: tf.Tensor): tf.Tensor2D {
  const [b, seq, vocab] = logits.shape as number[];
  return tf.reshape(tf.slice(logits, [0, seq - 1, 0], [b, 1, vocab]), [b, vocab]);
}

/** Generates one continuation per prompt (repeat a prompt for several samples). */
export function generate(model: LanguageModel, prompts: string[], options: Partial<GenerateOptions> = {}): Generation[] {
  const o = { ...DEFAULT_GENERATE, ...options };
  const rows = leftPad(model, prompts);
  const budget = Math.min(o.maxNewTokens, contextLength(model.config) - rows.ids[0].length);
  const rand = makeRng(o.seed);
  const out: Generation[] = prompts.map(() => ({ text: "", tokenIds: [], logprobs: [], finishReason: "length" }));
  const done = prompts.map(() => false);
  let cache: Record<string, tf.Tensor> | undefined;
  for (let s = 0; s < budget && done.includes(false); s++) {
    const next = step(model, rows, cache, o);
    if (cache) tf.dispose(Object.values(cache));
    cache = next.cache;
    const logits = next.logits.arraySync();
    next.logits.dispose();
    logits.forEach((row, i) => {
      const token = done[i] ? model.tokenizer.eosId : sampleToken(row, o, rand);
      if (!done[i]) done[i] = accept(model, out[i], token, logSoftmaxRow(row)[token], o.stop);
      rows.ids[i].push(token);
      rows.mask[i].push(1);
      rows.pos[i].push(rows.pos[i][rows.pos[i].length - 1] + 1);
    });
  }
  if (cache) tf.dispose(Object.values(cache));
  return out;
}

/** Records a sampled token; returns true when the row is finished. */
function accept(model: LanguageModel, g: Generation, token: number, logprob: number, stop: string[]): boolean {
  if (token === model.tokenizer.eosId) {
    g.finishReason = "eos";
    return true;
  }
  g.tokenIds.push(token);
  g.logprobs.push(logprob);
  g.text = model.tokenizer.decode(g.tokenIds);
  const hits = stop.map((s) => g.text.indexOf(s)).filter((i) => i >= 0);
  if (hits.length === 0) return false;
  g.text = g.text.slice(0, Math.min(...hits));
  g.finishReason = "stop";
  return true;
}
