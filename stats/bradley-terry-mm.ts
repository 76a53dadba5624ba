/**
 * Zermelo's iteration (Zermelo 1929; as an MM algorithm, Hunter 2004, Ann. Statist. 32:384):
 *   π_i ← (W_i + ε) / (Σ_j n_ij / (π_i + π_j) + 2ε / (π_i + 1))
 * where W_i counts wins (ties as halves) and ε = priorWins are the virtual games against a
 * reference of strength 1 (θ = 0). It uses no derivatives, so agreeing with Newton is a real check
 * of both. Linear convergence: used in tests, not in the leaderboard.
 */
import type { PairTable } from "./bradley-terry-data";
import { DEFAULT_PRIOR_WINS, type FitOptions, type FitResult } from "./bradley-terry-fit";

function totalWins(table: PairTable, policyCount: number): Float64Array {
  const wins = new Float64Array(policyCount);
  for (let p = 0; p < table.games.length; p++) {
    wins[table.pairFirst[p]] += table.winsFirst[p];
    wins[table.pairSecond[p]] += table.games[p] - table.winsFirst[p];
  }
  return wins;
}

/** One simultaneous MM update of all strengths; returns the largest |Δ log π|. */
function mmStep(table: PairTable, wins: Float64Array, strength: Float64Array, priorWins: number, anchor: number): number {
  const n = strength.length;
  const denominator = new Float64Array(n);
  for (let i = 0; i < n; i++) denominator[i] = (2 * priorWins) / (strength[i] + 1);
  for (let p = 0; p < table.games.length; p++) {
    const i = table.pairFirst[p];
    const j = table.pairSecond[p];
    const share = table.games[p] / (strength[i] + strength[j]);
    denominator[i] += share;
    denominator[j] += share;
  }
  const next = Float64Array.from(wins, (w, i) => (w + priorWins) / denominator[i]);
  // Without a prior only ratios are identified: rescale so the anchor stays at strength 1.
  if (priorWins === 0) next.forEach((_, i) => (next[i] /= next[anchor] === 0 ? 1 : next[anchor]));
  let moved = 0;
  for (let i = 0; i < n; i++) moved = Math.max(moved, Math.abs(Math.log(next[i] / strength[i])));
  strength.set(next);
  return moved;
}

/** Bradley-Terry log-strengths by MM; same objective and options as `fitNewton`. */
export function fitMm(table: PairTable, policyCount: number, options: FitOptions = {}): FitResult {
  const priorWins = options.priorWins ?? DEFAULT_PRIOR_WINS;
  const tolerance = options.tolerance ?? 1e-13;
  const maxIterations = options.maxIterations ?? 200_000;
  const wins = totalWins(table, policyCount);
  const strength = options.initial ? options.initial.map(Math.exp) : new Float64Array(policyCount).fill(1);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const moved = mmStep(table, wins, strength, priorWins, options.anchor ?? 0);
    if (moved < tolerance) return { theta: strength.map(Math.log), iterations: iteration, converged: true };
  }
  return { theta: strength.map(Math.log), iterations: maxIterations, converged: false };
}
