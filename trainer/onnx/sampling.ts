// Picks the next token from one row of logits: greedy, or temperature + top-k + top-p (nucleus)
// sampling from a seeded stream, so a seed reproduces a generation exactly.
import type { makeRng } from "../rng";

type Rng = ReturnType<typeof makeRng>;

export interface SamplingParams {
  /** 0 = greedy (argmax); otherwise logits are divided by it before softmax. */
  temperature: number;
  /** Keep only the k most likely tokens (0 or undefined: all). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (1: all). */
  topP?: number;
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let v = 1; v < row.length; v++) if (row[v] > row[best]) best = v;
  return best;
}

/** Candidate token ids with their probabilities after temperature, top-k and top-p (most likely first when filtered). */
export function filteredDistribution(row: ArrayLike<number>, params: SamplingParams): { ids: number[]; probs: number[] } {
  const all = Array.from({ length: row.length }, (_, v) => v);
  // Sorting 50k logits costs milliseconds per token: only pay for it when a filter needs the order.
  const filtered = (params.topK ?? 0) > 0 || (params.topP ?? 1) < 1;
  const ids = filtered ? all.sort((a, b) => row[b] - row[a]) : all;
  const k = params.topK && params.topK > 0 ? Math.min(params.topK, ids.length) : ids.length;
  const kept = ids.slice(0, k);
  let max = -Infinity;
  for (const v of kept) max = Math.max(max, row[v]);
  const weights = kept.map((v) => Math.exp((row[v] - max) / params.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let probs = weights.map((w) => w / total);
  const p = params.topP ?? 1;
  if (p < 1) {
    let cum = 0;
    let cut = 0;
    while (cut < probs.length && cum < p) cum += probs[cut++];
    const nucleus = probs.slice(0, Math.max(cut, 1));
    const mass = nucleus.reduce((a, b) => a + b, 0);
    probs = nucleus.map((q) => q / mass);
  }
  return { ids: kept.slice(0, probs.length), probs };
}

export function sampleToken(row: ArrayLike<number>, params: SamplingParams, rng: Rng): number {
  if (params.temperature <= 0) return argmax(row);
  const { ids, probs } = filteredDistribution(row, params);
  let u = rng();
  for (let i = 0; i < ids.length; i++) {
    u -= probs[i];
    if (u < 0) return ids[i];
  }
  return ids[ids.length - 1]; // rounding left u a hair above 0
}
