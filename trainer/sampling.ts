// Choosing the next token from one row of logits: temperature, top-k, top-p (nucleus), greedy,
// and ε-greedy noise (D-REX). Plain JS on a Float32Array: the row is small and this keeps
// sampling exactly reproducible.

export interface SamplingOptions {
  /** 0 means greedy (argmax); otherwise logits are divided by it. */
  temperature: number;
  /** Keep only the k most likely tokens (0: no limit). */
  topK: number;
  /** Keep the smallest set of tokens whose probability reaches p (1: no limit). */
  topP: number;
  /**
   * ε-greedy noise (D-REX): with probability ε the token is drawn uniformly from the whole
   * vocabulary instead of from the policy. Absent or 0: no noise, and no extra draw from `rand`,
   * so a noise-free sample equals plain sampling with the same seed.
   */
  epsilon?: number;
}

/** log-softmax of a row (float64 accumulation). */
export function logSoftmaxRow(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i] - max);
  const logZ = max + Math.log(z);
  return Float64Array.from(logits, (v) => v - logZ);
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** The candidate ids and their renormalized probabilities after temperature, top-k and top-p. */
export function filteredDistribution(logits: ArrayLike<number>, o: SamplingOptions): { ids: number[]; probs: number[] } {
  const logp = logSoftmaxRow(Array.from(logits, (v) => v / o.temperature));
  let ids = Array.from(logp.keys()).sort((a, b) => logp[b] - logp[a] || a - b);
  if (o.topK > 0) ids = ids.slice(0, o.topK);
  if (o.topP < 1) {
    let mass = 0;
    const kept: number[] = [];
    for (const id of ids) {
      kept.push(id);
      mass += Math.exp(logp[id]);
      if (mass >= o.topP) break;
    }
    ids = kept;
  }
  const weights = ids.map((id) => Math.exp(logp[id]));
  const total = weights.reduce((a, w) => a + w, 0);
  return { ids, probs: weights.map((w) => w / total) };
}

/** Picks the next token; `rand` gives uniforms in [0, 1). */
export function sampleToken(logits: ArrayLike<number>, o: SamplingOptions, rand: () => number): number {
  if (o.epsilon && rand() < o.epsilon) return Math.min(Math.floor(rand() * logits.length), logits.length - 1);
  if (o.temperature <= 0) return argmax(logits);
  const { ids, probs } = filteredDistribution(logits, o);
  let u = rand();
  for (let i = 0; i < ids.length; i++) {
    u -= probs[i];
    if (u < 0) return ids[i];
  }
  return ids[ids.length - 1];
}
