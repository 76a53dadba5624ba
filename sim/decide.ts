// How the simulated annotator judges: a hidden score per completion (the sentiment scorer fitted on
// real ratings, by default), perturbed by Gumbel noise of scale `temperature` — which makes pairwise
// choices Bradley-Terry, P(left) = σ((s_left − s_right) / temperature), and rankings Plackett-Luce —
// then an optional flip, and ties at a fixed rate. Pure functions of (texts, rng): no I/O.
import type { Rng } from "../stats/random";

export interface NoiseOptions {
  /** Bradley-Terry temperature in score (rating) units; 0: always the higher hidden score. */
  temperature: number;
  /** Probability of answering the opposite of the (noisy) choice on a pair or correction. */
  flipProbability: number;
  /** Share of pair tasks answered "tie" whatever the scores (people tie this often). */
  tieRate: number;
  /** Share of corrections submitted lightly edited (punctuation, spacing) rather than unchanged. */
  editRate: number;
}

export const DEFAULT_NOISE: NoiseOptions = { temperature: 0, flipProbability: 0, tieRate: 0, editRate: 0.3 };

/** Gumbel(0, 1) draw; rng() in [0, 1), so guard the log of 0. */
const gumbel = (rng: Rng) => -Math.log(-Math.log(Math.max(rng(), 1e-300)));

export function noisyScores(scores: readonly number[], o: NoiseOptions, rng: Rng): number[] {
  return scores.map((s) => (o.temperature > 0 ? s + o.temperature * gumbel(rng) : s));
}

/** 1 slightly, 2 clearly, 3 much better: the perceived gap in rating units (the scale is -4..4). */
export function strengthOf(gap: number): 1 | 2 | 3 {
  const g = Math.abs(gap);
  return g < 0.5 ? 1 : g < 1.5 ? 2 : 3;
}

export type PairDecision = { outcome: "left" | "right"; strength: 1 | 2 | 3 } | { outcome: "tie"; strength: null };

export function decidePair(scores: readonly [number, number], o: NoiseOptions, rng: Rng): PairDecision {
  if (o.tieRate > 0 && rng() < o.tieRate) return { outcome: "tie", strength: null };
  const [l, r] = noisyScores(scores, o, rng);
  let left = l > r || (l === r && rng() < 0.5);
  if (o.flipProbability > 0 && rng() < o.flipProbability) left = !left;
  return { outcome: left ? "left" : "right", strength: strengthOf(l - r) };
}

/** Indexes into `scores`, best first, by noisy score (a strict ranking, one per group). */
export function decideRanking(scores: readonly number[], o: NoiseOptions, rng: Rng): number[] {
  const noisy = noisyScores(scores, o, rng);
  return noisy.map((_, i) => i).sort((a, b) => noisy[b] - noisy[a]);
}

/** The index of the better answer of a correction task (noisy, possibly flipped). */
export function decideBetter(scores: readonly number[], o: NoiseOptions, rng: Rng): number {
  const [best, second] = decideRanking(scores, o, rng);
  return o.flipProbability > 0 && second !== undefined && rng() < o.flipProbability ? second : best;
}

/** A light copy-edit that keeps the words (a continuation stays a continuation): spacing tidied, a closing full stop. */
export function lightEdit(text: string): string {
  const tidy = text.replace(/[ \t]+/g, " ").replace(/ ([,.!?;:])/g, "$1").trimEnd();
  if (tidy.trim() === "") return text;
  return /[.!?]$/.test(tidy) ? tidy : `${tidy}.`;
}

/** Share of item pairs that `order` (best first) puts the way the noiseless scores do; ties in scores left out. */
export function pairwiseAgreement(order: readonly number[], scores: readonly number[]): { agreed: number; compared: number } {
  let agreed = 0;
  let compared = 0;
  for (let a = 0; a < order.length; a++) {
    for (let b = a + 1; b < order.length; b++) {
      const gap = scores[order[a]] - scores[order[b]];
      if (gap === 0) continue;
      compared += 1;
      if (gap > 0) agreed += 1;
    }
  }
  return { agreed, compared };
}
