/**
 * The policy leaderboard: Bradley-Terry strengths from pairwise human judgements, on an Elo-like
 * scale (400 points per factor of 10 in odds, the base policy at 1000), with 95% percentile
 * intervals from bootstrap resamples of the judgements.
 *
 * Conventions (documented here because the dashboard and the CLI both show them):
 * - ties count half a win each way; both-bad judgements are counted in `judgements` and
 *   `bothBad` but never enter the fit (both answers lost, to nobody in particular);
 * - the base policy is anchored in every resample, so its own interval is [1000, 1000] and the
 *   others' intervals are of their difference to it;
 * - a policy with no counted comparison path to the base has `connectedToBase: false`: its
 *   rating then rests on the weak prior only (see bradley-terry-fit.ts) and is not comparable.
 */
import { bootstrapCounts, percentileIntervals } from "./bootstrap";
import { aggregateJudgements, components, pairTable, tallies, type ComparisonCells, type PolicyJudgement } from "./bradley-terry-data";
import { DEFAULT_PRIOR_WINS, fitNewton } from "./bradley-terry-fit";

export type { Outcome, PolicyJudgement } from "./bradley-terry-data";

/** Elo points per unit of log-odds: 400 points multiply the odds by 10. */
export const ELO_PER_LOGIT = 400 / Math.LN10;
export const BASE_RATING = 1000;

export interface LeaderboardOptions {
  /** Policy anchored at 1000; default the first by name (callers pass the built-in policy). */
  base?: string;
  /** Bootstrap resamples of the judgements; 1,000 as the issue asks (0 skips the intervals). */
  bootstraps?: number;
  /** Seed of the bootstrap, so the same judgements always give the same intervals. */
  seed?: number;
  /** Coverage of the interval. */
  level?: number;
  /** Virtual wins and losses per policy against a neutral reference (bradley-terry-fit.ts). */
  priorWins?: number;
  /** Policies to list even if no judgement mentions them yet. */
  policies?: string[];
}

export interface LeaderboardRow {
  policy: string;
  rating: number;
  ciLow: number;
  ciHigh: number;
  judgements: number;
  wins: number;
  losses: number;
  ties: number;
  bothBad: number;
  connectedToBase: boolean;
}

/** Log-strengths to Elo-like ratings with θ_base at 1000. */
export function toRatings(theta: ArrayLike<number>, baseIndex: number): Float64Array {
  return Float64Array.from(theta, (t) => BASE_RATING + ELO_PER_LOGIT * (t - theta[baseIndex]));
}

/** Leaderboard from raw judgements (or GROUP BY rows carrying `count`), best first. */
export function leaderboard(judgements: readonly PolicyJudgement[], options: LeaderboardOptions = {}): LeaderboardRow[] {
  const extra = [...(options.policies ?? []), ...(options.base ? [options.base] : [])];
  return leaderboardFromCells(aggregateJudgements(judgements, extra), options);
}

export function leaderboardFromCells(cells: ComparisonCells, options: LeaderboardOptions = {}): LeaderboardRow[] {
  const n = cells.policies.length;
  if (n === 0) return [];
  const baseIndex = options.base === undefined ? 0 : cells.policies.indexOf(options.base);
  if (baseIndex < 0) throw new Error(`base policy "${options.base}" has no judgements`);
  const fitOptions = { priorWins: options.priorWins ?? DEFAULT_PRIOR_WINS, anchor: baseIndex };
  const table = pairTable(cells);
  const full = fitNewton(table, n, fitOptions);
  const ratings = toRatings(full.theta, baseIndex);
  const resampled = bootstrapCounts(
    cells.count,
    (counts) => toRatings(fitNewton(pairTable(cells, counts), n, { ...fitOptions, initial: full.theta }).theta, baseIndex),
    { resamples: options.bootstraps ?? 1000, seed: options.seed ?? 0 },
  );
  const noIntervals = resampled.length === 0;
  const { low, high } = percentileIntervals(resampled, options.level ?? 0.95);
  const component = components(table, n);
  const counts = tallies(cells);
  const rows = cells.policies.map((policy, i) => ({
    policy,
    rating: ratings[i],
    ciLow: noIntervals ? ratings[i] : low[i],
    ciHigh: noIntervals ? ratings[i] : high[i],
    ...counts[i],
    connectedToBase: component[i] === component[baseIndex],
  }));
  return rows.sort((x, y) => y.rating - x.rating || x.policy.localeCompare(y.policy));
}
