// Exact per-token log-probabilities on ONNX Runtime, the counterpart of trainer/logprobs.ts (same
// items, same results): reference log-probs for DPO, PPO rollouts, evaluation. Sequences are
// batched with right padding (causal attention never lets a real token see the padding after
// it), and similar lengths share a batch.
import { InputError } from "../errors";
import type { LogprobItem, LogprobResult } from "../logprobs";
import { logSoftmaxRow } from "../sampling";
import type { OnnxLanguageModel } from "./checkpoint";
import type { OnnxCausalLm } from "./forward";

/** Each token's log-probability given the ones before it; the first token has none (null). */
export async function sequenceLogprobs(lm: OnnxCausalLm, sequences: number[][], batchSize = 8): Promise<Array<Array<number | null>>> {
  const results: Array<Array<number | null>> = new Array(sequences.length);
  const order = sequences.map((_, i) => i).sort((a, b) => sequences[a].length - sequences[b].length);
  for (let start = 0; start < order.length; start += batchSize) {
    const rows = order.slice(start, start + batchSize);
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
  return seqs.map((s, b) => s.map((id, t) => (t === 0 ? null : logSoftmaxRow(row(b, t - 1))[id])));
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
 * separately (the completion's tokens must not depend on the prompt's last characters); an empty
 * prompt becomes eos, GPT-2's usual BOS.
 */
export async function computeLogprobsOnnx(model: OnnxLanguageModel, items: LogprobItem[], batchSize = 8): Promise<LogprobResult[]> {
  const { tokenizer } = model;
  const encoded = items.map((item) => {
    const promptIds = tokenizer.encode(item.prompt);
    return { promptIds: promptIds.length > 0 ? promptIds : [tokenizer.eosId], completionIds: tokenizer.encode(item.completion) };
  });
  return completionLogprobs(model.lm, encoded, batchSize);
}

/** Each token's log-prob given the ones before it (the first has none): the CLI's view of a text. */
export async function textLogprobsOnnx(model: OnnxLanguageModel, text: string): Promise<{ tokens: string[]; tokenIds: number[]; logprobs: (number | null)[] }> {
  const tokenIds = model.tokenizer.encode(text);
  if (tokenIds.length === 0) return { tokens: [], tokenIds, logprobs: [] };
  const [logprobs] = await sequenceLogprobs(model.lm, [tokenIds]);
  return { tokens: model.tokenizer.tokens(tokenIds), tokenIds, logprobs };
}
