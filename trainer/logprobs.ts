// Log-probabilities of completions given prompts: the primitive DPO, PPO and reward models use.
// Rows are right-padded (causal attention never looks right, so padding cannot change earlier
// positions) and masked to the completion tokens.
import * as tf from "@tensorflow/tfjs-core";
import { executeGraph } from "./graph/tfjs-exec";
import { checkContext, type LanguageModel } from "./language-model";
import { tokenLogprobs } from "./losses";
import { encodePrompt, encodeSequence } from "./tokenizer/sequence-start";

export interface LogprobItem {
  prompt: string;
  completion: string;
}

/** Token ids of a batch and which target positions belong to completions. */
export interface LogprobBatch {
  /** [batch, seq] prompt ++ completion ids, right-padded with eos. */
  ids: number[][];
  /** [batch, seq] 1 for real tokens. */
  attention: number[][];
  /** [batch, seq-1] 1 where target ids[b][t+1] is a completion token. */
  completionMask: number[][];
  /** Completion ids per row. */
  completionIds: number[][];
}

/** Prompt and completion as token ids (the prompt holds at least one token). */
export interface IdRow {
  promptIds: number[];
  completionIds: number[];
}

/** Right-padded rows with the completion mask over target positions. */
export function logprobBatchFromIds(rows: readonly IdRow[], padId: number): LogprobBatch {
  const seq = Math.max(2, ...rows.map((r) => r.promptIds.length + r.completionIds.length));
  const bounds = rows.map((r) => [r.promptIds.length, r.promptIds.length + r.completionIds.length] as const);
  return {
    ids: rows.map((r) => [...r.promptIds, ...r.completionIds, ...Array(seq - r.promptIds.length - r.completionIds.length).fill(padId)]),
    attention: bounds.map(([, end]) => Array.from({ length: seq }, (_, t) => (t < end ? 1 : 0))),
    completionMask: bounds.map(([start, end]) => Array.from({ length: seq - 1 }, (_, t) => (t + 1 >= start && t + 1 < end ? 1 : 0))),
    completionIds: rows.map((r) => r.completionIds),
  };
}

/**
 * Tokenizes prompt and completion separately (so the completion's tokens do not depend on the
 * prompt's last characters) and pads. The prompt starts as the checkpoint's tokenizer starts a
 * sequence (sequence-start.ts: BOS for Llama; an empty prompt becomes eos for GPT-2).
 */
export function buildLogprobBatch(model: LanguageModel, items: LogprobItem[]): LogprobBatch {
  const { tokenizer } = model;
  const rows = items.map((item) => {
    const prompt = encodePrompt(tokenizer, item.prompt);
    const completionIds = tokenizer.encode(item.completion);
    checkContext(model, prompt.length + completionIds.length, "prompt + completion");
    return { promptIds: prompt, completionIds };
  });
  return logprobBatchFromIds(rows, tokenizer.eosId);
}

/**
 * Per-token completion log-probs [batch, seq-1] (zero outside completions); differentiable with
 * respect to `params` unless `folded` (inference-only precomputed nodes) is given.
 */
export function completionLogprobTensor(model: Pick<LanguageModel, "graph" | "params"> & { folded?: Record<string, tf.Tensor> }, batch: LogprobBatch): tf.Tensor2D {
  const [rows, seq] = [batch.ids.length, batch.ids[0].length];
  const ids = tf.tensor2d(batch.ids, [rows, seq], "int32");
  const { logits } = executeGraph(model.graph, {
    ...model.params,
    ...model.folded,
    input_ids: ids,
    attention_mask: tf.tensor2d(batch.attention, [rows, seq], "int32"),
    position_ids: tf.tile(tf.reshape(tf.range(0, seq, 1, "int32"), [1, seq]), [rows, 1]),
  }, ["logits"]);
  const predicting = tf.slice(logits, [0, 0, 0], [rows, seq - 1, -1]); // [batch, seq-1, vocab]
  const targets = tf.slice(ids, [0, 1], [rows, seq - 1]); // [batch, seq-1]
  return tf.mul(tokenLogprobs(predicting, targets), tf.tensor2d(batch.completionMask, [rows, seq - 1])) as tf.Tensor2D;
}

export interface LogprobResult {
  /** Completion token ids. */
  tokenIds: number[];
  /** log p(token | prompt, earlier completion tokens), one per completion token. */
  logprobs: number[];
  /** Sum of `logprobs`: log p(completion | prompt). */
  total: number;
}

/** Per-token and summed completion log-probs, `batchSize` items per forward pass. */
export function computeLogprobs(model: LanguageModel, items: LogprobItem[], batchSize = 8): LogprobResult[] {
  const results: LogprobResult[] = [];
  for (let start = 0; start < items.length; start += batchSize) {
    const batch = buildLogprobBatch(model, items.slice(start, start + batchSize));
    const perToken = tf.tidy(() => completionLogprobTensor(model, batch).arraySync());
    batch.completionIds.forEach((tokenIds, b) => {
      const logprobs = perToken[b].filter((_, t) => batch.completionMask[b][t] === 1);
      results.push({ tokenIds, logprobs, total: logprobs.reduce((a, v) => a + v, 0) });
    });
  }
  return results;
}

/**
 * Each token's log-prob given the ones before it (the first has none): the CLI's view of a text,
 * as the model sees it (a BOS-starting checkpoint's BOS is the first token).
 */
export function textLogprobs(model: LanguageModel, text: string): { tokens: string[]; tokenIds: number[]; logprobs: (number | null)[] } {
  const ids = encodeSequence(model.tokenizer, text);
  checkContext(model, ids.length, "text");
  if (ids.length === 0) return { tokens: [], tokenIds: [], logprobs: [] };
  // One trailing pad keeps seq ≥ 2 for a single-token text; the mask ignores it.
  const batch: LogprobBatch = { ids: [[...ids, ids[0]]], attention: [[...ids.map(() => 1), 0]], completionMask: [ids.map((_, t) => (t + 1 < ids.length ? 1 : 0))], completionIds: [ids.slice(1)] };
  const perToken = tf.tidy(() => completionLogprobTensor(model, batch).arraySync()[0]);
  return { tokens: model.tokenizer.tokens(ids), tokenIds: ids, logprobs: [null, ...perToken.slice(0, ids.length - 1)] };
}
