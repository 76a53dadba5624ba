/**
 * Test support for known-answer tests of online RL on the toy language of trainer/dpo/toy-language.ts
 * (27 sequences, a tabular policy): rollouts in plain numbers, and the fixed point GRPO converges to,
 * which is not the KL-regularised optimum π* ∝ π_ref·exp(r/β) that PPO and RLOO reach.
 *
 * Why GRPO differs. On-policy (ρ = 1), with a large group (mean → E_π[r], std → σ_π), the expected
 * gradient of GRPO's loss in the logits θ_s of a prefix s visited with probability d(s) is
 *   (d(s)/L)·[−(1/σ_π)·π_s ⊙ (Q_s − V_s) + β·(π_s − π_ref,s)],
 * Q_s(a) = E_π[r | s, a], V_s = E_π[r | s]: the k3 term, differentiated through log π of the sampled
 * token only, pulls each next-token distribution straight towards π_ref(·|s) (E_π[∇k3] = π_s − π_ref,s,
 * the gradient of KL(π_ref,s‖π_s)), not along the gradient of the sequence-level KL(π‖π_ref), and the
 * reward is divided by its standard deviation. It vanishes where, at every prefix,
 *   π_s(a) = π_ref,s(a) / (1 − (Q_s(a) − V_s)/(β·σ_π)),
 * which agrees with π* (and then with β·σ_π in place of β) only to first order in r/(βσ). Normalisation
 * forces V_s = Σ π_s·Q_s, so each prefix is a 1-D root (solved backwards from the last token) and σ_π
 * a scalar fixed point around it. Finite groups (mean and std of k samples, the sample's own reward
 * among them) move the fixed point by O(1/k): the toy test uses k = 64.
 */
import { logNormalize, prefixIndex, sampleIndex, sequenceIndex, toyLanguage, type ToyLanguage } from "../dpo/toy-language";
import type { Rng } from "../../stats/random";

/** A batch of sampled sequences with what the losses need, in plain numbers. All [batch][length]. */
export interface Rollout {
  sequences: number[][];
  /** Index of each sequence among all V^L (for rewards). */
  indices: number[];
  /** Table row of every token's prefix (the state a value function is read at). */
  prefixes: number[][];
  /** log π_old(y_t | y_<t) of the sampling policy, and the same under π_ref. */
  oldLogp: number[][];
  refLogp: number[][];
}

/** Per-prefix next-token log-probs of a logit table: [prefixCount][vocab]. */
export const rowLogProbs = (table: readonly (readonly number[])[]): number[][] => table.map((row) => logNormalize(row));

/** n sequences drawn from the policy whose per-sequence log-probs are `seqLogps` (built from `rows`). */
export function sampleRollout(lang: ToyLanguage, rng: Rng, rows: number[][], refRows: number[][], seqLogps: readonly number[], n: number): Rollout {
  const indices = Array.from({ length: n }, () => sampleIndex(rng, seqLogps));
  const sequences = indices.map((i) => lang.sequences[i]!);
  const prefixes = sequences.map((y) => y.map((_, t) => prefixIndex(lang, y.slice(0, t))));
  const perToken = (r: number[][]) => sequences.map((y, b) => y.map((token, t) => r[prefixes[b]![t]!]![token]!));
  return { sequences, indices, prefixes, oldLogp: perToken(rows), refLogp: perToken(refRows) };
}

/** The next-token log-probs of every prefix, [prefixCount][vocab], of a distribution over whole sequences. */
export function prefixRows(lang: ToyLanguage, seqLogps: readonly number[]): number[][] {
  const mass = Array.from({ length: lang.prefixCount }, () => new Array<number>(lang.vocab).fill(0));
  lang.sequences.forEach((y, i) => y.forEach((token, t) => (mass[prefixIndex(lang, y.slice(0, t))]![token]! += Math.exp(seqLogps[i]!))));
  return mass.map((row) => row.map((m) => Math.log(m / row.reduce((s, x) => s + x, 0))));
}

/** π_s ∝ π_ref,s / (1 − (Q − V)/κ), normalised by its V (1-D root in (max Q − κ, max Q]); log-probs. */
function stationaryRow(refRow: readonly number[], q: readonly number[], kappa: number): { logps: number[]; value: number } {
  const maxQ = Math.max(...q);
  const mass = (v: number) => refRow.reduce((s, lp, a) => s + (Math.exp(lp) * kappa) / (kappa - q[a]! + v), 0);
  let [lo, hi] = [maxQ - kappa, maxQ]; // mass(lo+) = ∞, mass(hi) ≤ 1
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mass(mid) > 1) lo = mid;
    else hi = mid;
  }
  const value = hi;
  const logps = logNormalize(refRow.map((lp, a) => lp + Math.log(kappa) - Math.log(kappa - q[a]! + value)));
  return { logps, value };
}

/** The sequence log-probs where GRPO's expected gradient vanishes for a given κ = β·σ. */
function stationaryFor(lang: ToyLanguage, refRows: number[][], reward: readonly number[], kappa: number): number[] {
  const rows = refRows.map((r) => [...r]);
  const values = new Array<number>(lang.prefixCount).fill(0); // V_s = E_π[r | s]
  for (let length = lang.length - 1; length >= 0; length--) {
    for (const prefix of toyLanguage(lang.vocab, length).sequences) { // every prefix of this length
      const q = Array.from({ length: lang.vocab }, (_, a) =>
        length === lang.length - 1 ? reward[sequenceIndex(lang, [...prefix, a])]! : values[prefixIndex(lang, [...prefix, a])]!,
      );
      const row = stationaryRow(refRows[prefixIndex(lang, prefix)]!, q, kappa);
      rows[prefixIndex(lang, prefix)] = row.logps;
      values[prefixIndex(lang, prefix)] = row.value;
    }
  }
  return lang.sequences.map((y) => y.reduce((s, token, t) => s + rows[prefixIndex(lang, y.slice(0, t))]![token]!, 0));
}

const stdUnder = (logps: readonly number[], reward: readonly number[]) => {
  const mean = logps.reduce((s, lp, i) => s + Math.exp(lp) * reward[i]!, 0);
  return Math.sqrt(logps.reduce((s, lp, i) => s + Math.exp(lp) * (reward[i]! - mean) ** 2, 0));
};

/**
 * GRPO's fixed point (large-group limit) as sequence log-probs: the σ with σ = std_π(r) at
 * π = stationaryFor(β·σ), found by bisection (std_π(σ) − σ is positive near 0 and negative at the range of r).
 */
export function grpoFixedPoint(lang: ToyLanguage, refTable: readonly (readonly number[])[], reward: readonly number[], beta: number): { logps: number[]; sigma: number } {
  const refRows = rowLogProbs(refTable);
  const gap = (sigma: number) => stdUnder(stationaryFor(lang, refRows, reward, beta * sigma), reward) - sigma;
  let [lo, hi] = [1e-9, Math.max(...reward) - Math.min(...reward)];
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (gap(mid) > 0) lo = mid;
    else hi = mid;
  }
  const sigma = (lo + hi) / 2;
  return { logps: stationaryFor(lang, refRows, reward, beta * sigma), sigma };
}
