// Exact per-token log-probabilities on ONNX Runtime, the counterpart of trainer/logprobs.ts (same
// items, same results): reference log-probs for DPO, PPO rollouts, evaluation. Sequences are
// batched with right padding (causal attention never lets a real token see the padding after
// it), and similar lengths share a batch.
import { InputError } from "../errors";
import type { LogprobItem, LogprobResult } from "../logprobs";
import { encodePrompt, encodeSequence } from "../tokenizer/sequence-start";
import type { OnnxLanguageModel } from "./checkpoint";
import type { OnnxCausalLm } from "./forward";

/**
 * log-softmax(row)[id] by plain loops: no 50k-entry array per position (allocating one costs
 * ~6 ms at GPT-2's vocabulary, more than the forward pass per token it follows).
 */
export function tokenLogprob(row: Float32Array, id: number): number {
  let max = -Infinity;
  for (let v = 0; v < row.length; v++) if (row[v] > max) max = row[v];
  let sum = 0;
  for (let v = 0; v < row.length; v++) sum += Math.exp(row[v] - max);
  return row[id] - max - Math.log(sum);
}

// Logits come back to JS as [batch, seq, vocab] floats: at GPT-2's 50k vocabulary, 8 rows of
// 256 tokens are 400 MB, so batches are also capped by this many logit bytes.
const LOGITS_BUDGET_BYTES = 128 * 2 ** 20;

/** Rows sorted by length, cut into batches of at most `batchSize` rows and the logits budget. */
export function planLogprobBatches(lengths: number[], batchSize: number, vocab: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const rowsIfAdded = current.length + 1;
    const bytes = rowsIfAdded * Math.max(1, lengths[i]) * vocab * 4; // sorted: row i is the longest so far
    if (current.length > 0 && (rowsIfAdded > batchSize || bytes > LOGITS_BUDGET_BYTES)) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Each token's log-probability given the ones before it; the first token has none (null). */
export async function sequenceLogprobs(lm: OnnxCausalLm, sequences: number[][], batchSize = 8): Promise<Array<Array<number | null>>> {
  const results: Array<Array<number | null>> = new Array(sequences.length);
  for (const rows of planLogprobBatches(sequences.map((s) => s.length), batchSize, lm.shape.vocab)) {
    const batchResults = await batchLogprobs(lm, rows.map((i) => sequences[i]));
    rows.forEach((i, k) => (results[i] = batchResults[k]));
  }
  return results;
}

async function batchLogprobs(lm: OnnxCausalLm, seqs: number[][]): Promise<Array<Array<number | null>>> {
  const batch = seqs.length;
  const seq = Math.max(1, ...seqs.map((s) => s.length));
  const ids = new Array<number>(batch * seq).fill(0);
  const mask = new Array<number>(batch * seq).fill(0);
  const positions = new Array<number>(batch * seq).fill(0);
  seqs.forEach((s, b) => s.forEach((id, t) => {
    ids[b * seq + t] = id;
    mask[b * seq + t] = 1;
    positions[b * seq + t] = t;
  }));
  const { logits } = await lm.forward({ batch, seq, ids, attentionMask: mask, positionIds: positions }); // [batch, seq, vocab]
  const vocab = lm.shape.vocab;
  const row = (b: number, t: number) => logits.subarray((b * seq + t) * vocab, (b * seq + t + 1) * vocab);
  return seqs.map((s, b) => s.map((id, t) => (t === 0 ? null : tokenLogprob(row(b, t - 1), id))));
}

/** Log-probs of each completion given its prompt, as token ids (prompt must hold at least one token). */
export async function completionLogprobs(lm: OnnxCausalLm, items: Array<{ promptIds: number[]; completionIds: number[] }>, batchSize = 8): Promise<LogprobResult[]> {
  items.forEach((item, i) => {
    if (item.promptIds.length === 0) throw new InputError(`item ${i}: empty prompt; the first completion token needs a token to condition on (eos as BOS)`);
  });
  const perSequence = await sequenceLogprobs(lm, items.map((it) => [...it.promptIds, ...it.completionIds]), batchSize);
  return perSequence.map((lps, i) => {
    const logprobs = lps.slice(items[i].promptIds.length) as number[];
    return { tokenIds: items[i].completionIds, logprobs, total: logprobs.reduce((a, b) => a + b, 0) };
  });
}

/**
 * Per-token and summed completion log-probs of text items. Prompt and completion are tokenized
 * separately (the completion's tokens must not depend on the prompt's last characters); the prompt
 * starts as the checkpoint's tokenizer starts a sequence (sequence-start.ts: BOS for Llama; an
 * empty prompt becomes eos for GPT-2).
 */
export async function computeLogprobsOnnx(model: OnnxLanguageModel, items: LogprobItem[], batchSize = 8): Promise<LogprobResult[]> {
  const { tokenizer } = model;
  const encoded = items.map((item) => {
    return { promptIds: encodePrompt(tokenizer, item.prompt), completionIds: tokenizer.encode(item.completion) };
  });
  return completionLogprobs(model.lm, encoded, batchSize);
}

/** Each token's log-prob given the ones before it (the first has none): the CLI's view of a text, BOS included. */
export async function textLogprobsOnnx(model: OnnxLanguageModel, text: string): Promise<{ tokens: string[]; tokenIds: number[]; logprobs: (number | null)[] }> {
  const tokenIds = encodeSequence(model.tokenizer, text);
  if (tokenIds.length === 0) return { tokens: [], tokenIds, logprobs: [] };
  const [logprobs] = await sequenceLogprobs(model.lm, [tokenIds]);
  return { tokens: model.tokenizer.tokens(tokenIds), tokenIds, logprobs };
}
