/**
 * Test support: a language small enough to enumerate, for known-answer tests of preference
 * optimisation (DPO here; PPO, GRPO and RLOO later). V tokens, fixed length L, no prompt: with
 * V = L = 3 there are 27 sequences and 13 prefixes. A tabular autoregressive policy keeps one logit
 * row per prefix, so it can represent every distribution over the sequences, and the KL-regularised
 * optimum π*(y) ∝ π_ref(y)·exp(r(y)/β) is reachable exactly: what a trainer converges to can be
 * compared with it by enumeration, not by sampling.
 *
 * Plain-number helpers (float64) compute references; tensor helpers are the policy being trained.
 */
import * as tf from "@tensorflow/tfjs-core";
// Gradients of the tensor helpers need the bundle's gradient registrations (see trainer/backend.ts).
import "@tensorflow/tfjs";
import { standardNormal, type Rng } from "../../stats/random";

export interface ToyLanguage {
  vocab: number;
  length: number;
  /** Every sequence, in base-V order: index = Σ_t y_t·V^(L−1−t). */
  sequences: number[][];
  /** Rows of a logit table: one per prefix of length 0..L−1, (V^L − 1)/(V − 1) in all. */
  prefixCount: number;
}

export function toyLanguage(vocab = 3, length = 3): ToyLanguage {
  const count = vocab ** length;
  const sequences = Array.from({ length: count }, (_, index) =>
    Array.from({ length }, (_, t) => Math.floor(index / vocab ** (length - 1 - t)) % vocab),
  );
  let prefixCount = 0;
  for (let l = 0; l < length; l++) prefixCount += vocab ** l;
  return { vocab, length, sequences, prefixCount };
}

/** Table row of a prefix: prefixes of length ℓ start after all shorter ones, then base-V order. */
export function prefixIndex(lang: ToyLanguage, prefix: readonly number[]): number {
  let start = 0;
  for (let l = 0; l < prefix.length; l++) start += lang.vocab ** l;
  return start + prefix.reduce((acc, token) => acc * lang.vocab + token, 0);
}

/** Index of a full sequence in `lang.sequences`. */
export const sequenceIndex = (lang: ToyLanguage, sequence: readonly number[]): number =>
  sequence.reduce((acc, token) => acc * lang.vocab + token, 0);

/** A random logit table [prefixCount][vocab] with N(0, scale²) entries (a reference policy). */
export function randomTable(lang: ToyLanguage, rng: Rng, scale = 1): number[][] {
  return Array.from({ length: lang.prefixCount }, () => Array.from({ length: lang.vocab }, () => scale * standardNormal(rng)));
}

/** log-softmax in float64. */
export function logNormalize(scores: readonly number[]): number[] {
  const max = Math.max(...scores);
  const logZ = max + Math.log(scores.reduce((s, x) => s + Math.exp(x - max), 0));
  return scores.map((x) => x - logZ);
}

/** log π(y) of every sequence under a logit table, in float64 (references, known answers). */
export function tableLogProbs(lang: ToyLanguage, table: readonly (readonly number[])[]): number[] {
  const rows = table.map((row) => logNormalize(row));
  return lang.sequences.map((y) => y.reduce((s, token, t) => s + rows[prefixIndex(lang, y.slice(0, t))][token], 0));
}

/**
 * The KL-regularised optimum of E_π[r] − β·KL(π‖π_ref), as log-probs:
 * log π*(y) = log π_ref(y) + r(y)/β − log Z.
 */
export function tiltedOptimum(refLogps: readonly number[], reward: readonly number[], beta: number): number[] {
  return logNormalize(refLogps.map((lp, i) => lp + reward[i] / beta));
}

/** KL(P‖Q) = Σ P·(log P − log Q), from log-probabilities over the same outcomes. */
export function klDivergence(logP: readonly number[], logQ: readonly number[]): number {
  return logP.reduce((s, lp, i) => (lp === -Infinity ? s : s + Math.exp(lp) * (lp - logQ[i])), 0);
}

/** One draw from a distribution given as log-probs. */
export function sampleIndex(rng: Rng, logps: readonly number[]): number {
  let u = rng();
  for (let i = 0; i < logps.length; i++) {
    u -= Math.exp(logps[i]);
    if (u < 0) return i;
  }
  return logps.length - 1; // rounding left a sliver of mass: the last outcome takes it
}

/**
 * n Bradley-Terry judgements: y1, y2 drawn independently from `proposal` (log-probs), y1 ≻ y2 with
 * probability σ(r(y1) − r(y2)). Returned as counts[winner][loser], so that a loss over all pairs is
 * Σ count·ℓ over at most |Y|² ordered pairs however large n is.
 */
export function samplePreferenceCounts(rng: Rng, proposal: readonly number[], reward: readonly number[], n: number): number[][] {
  const counts = proposal.map(() => proposal.map(() => 0));
  for (let k = 0; k < n; k++) {
    const [a, b] = [sampleIndex(rng, proposal), sampleIndex(rng, proposal)];
    const aWins = rng() < 1 / (1 + Math.exp(reward[b] - reward[a]));
    counts[aWins ? a : b][aWins ? b : a]++;
  }
  return counts;
}

/**
 * The expected counts of `samplePreferenceCounts`, n·μ(a)·μ(b)·σ(r(a) − r(b)): training on them
 * minimises the population loss, which separates optimisation error from sampling noise.
 */
export function expectedPreferenceCounts(proposal: readonly number[], reward: readonly number[], n: number): number[][] {
  return proposal.map((a, i) => proposal.map((b, j) => (n * Math.exp(a + b)) / (1 + Math.exp(reward[j] - reward[i]))));
}

/** The nonzero cells of a counts[winner][loser] matrix, as parallel lists (a pair batch). */
export function preferencePairs(counts: readonly (readonly number[])[]) {
  const pairs = { winners: [] as number[], losers: [] as number[], counts: [] as number[] };
  counts.forEach((row, w) =>
    row.forEach((count, l) => {
      if (count === 0) return;
      pairs.winners.push(w);
      pairs.losers.push(l);
      pairs.counts.push(count);
    }),
  );
  return pairs;
}

/** The tabular policy's parameters: one trainable logit row per prefix, [prefixCount, vocab]. */
export const tabularPolicy = (initial: number[][]): tf.Variable<tf.Rank.R2> => tf.variable(tf.tensor2d(initial));

/** Per-token log π(y_t | y_<t) of the given sequences: [batch, length], differentiable in `table`. */
export function tokenLogProbs(lang: ToyLanguage, table: tf.Tensor2D, sequences: readonly (readonly number[])[]): tf.Tensor2D {
  return tf.tidy(() => {
    const flat = tf.reshape(tf.logSoftmax(table), [-1]); // [prefixCount·vocab]
    const cells = sequences.flatMap((y) => y.map((token, t) => prefixIndex(lang, y.slice(0, t)) * lang.vocab + token));
    return tf.reshape(tf.gather(flat, tf.tensor1d(cells, "int32")), [sequences.length, lang.length]) as tf.Tensor2D;
  });
}

/** log π(y) = Σ_t log π(y_t | y_<t): [batch] for the given sequences (default: all, in order). */
export function sequenceLogProbs(lang: ToyLanguage, table: tf.Tensor2D, sequences: readonly (readonly number[])[] = lang.sequences): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tokenLogProbs(lang, table, sequences), 1) as tf.Tensor1D);
}
