// Exact per-token log-probabilities on ONNX Runtime: the primitive reference log-probs (DPO),
// PPO rollouts and evaluation use. Sequences are batched with right padding (causal attention
// never lets a real token see the padding after it), and similar lengths share a batch.
import { type OnnxCausalLm } from "./forward";

export interface LogprobOptions {
  /** Sequences per forward pass: bigger batches use the cores better, up to memory. */
  batchSize?: number;
}

export interface CompletionLogprobs {
  /** log p(completion[t] | prompt, completion[<t]), one per completion token. */
  tokenLogprobs: number[];
  sum: number;
}

/** log-softmax(logits row)[target], computed without materializing the whole row. */
export function tokenLogprob(logits: Float32Array, offset: number, vocab: number, target: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, logits[offset + v]);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v] - max);
  return logits[offset + target] - max - Math.log(sum);
}

/** Each token's log-probability given the ones before it; the first token has none (null). */
export async function sequenceLogprobs(lm: OnnxCausalLm, sequences: number[][], options: LogprobOptions = {}): Promise<Array<Array<number | null>>> {
  const batchSize = options.batchSize ?? 8;
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
  return seqs.map((s, b) => s.map((id, t) => (t === 0 ? null : tokenLogprob(logits, (b * seq + t - 1) * vocab, vocab, id))));
}

/** Log-probs of each completion given its prompt (prompt must hold at least one token). */
export async function completionLogprobs(lm: OnnxCausalLm, items: Array<{ promptIds: number[]; completionIds: number[] }>, options: LogprobOptions = {}): Promise<CompletionLogprobs[]> {
  items.forEach((item, i) => {
    if (item.promptIds.length === 0) throw new Error(`item ${i}: empty prompt; the first completion token needs a token to condition on (add BOS)`);
  });
  const perSequence = await sequenceLogprobs(lm, items.map((it) => [...it.promptIds, ...it.completionIds]), options);
  return perSequence.map((lps, i) => {
    const tokenLogprobs = lps.slice(items[i].promptIds.length) as number[];
    return { tokenLogprobs, sum: tokenLogprobs.reduce((a, b) => a + b, 0) };
  });
}
