/**
 * Pairwise judgements between policies, aggregated: a million rows among 50 policies collapse to
 * at most 50·49/2 pairs × 4 outcomes distinct cells, which is what the fit and the bootstrap use.
 */

export const OUTCOMES = ["a", "b", "tie", "both_bad"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** One human judgement between a completion of policy `a` and one of policy `b`. */
export interface PolicyJudgement {
  a: string;
  b: string;
  outcome: Outcome;
  /** How many identical judgements this row stands for (a SQL GROUP BY count); 1 if absent. */
  count?: number;
}

/**
 * Distinct (pair, outcome) cells with their counts. Pairs are canonical (first < second by
 * policy index), so "b beat a" with a > b is stored as the first policy winning.
 * Cells are sorted by pair, and `pairOf` maps each cell to its row of the pair table.
 */
export interface ComparisonCells {
  policies: string[];
  pairFirst: Int32Array; // [pairs]
  pairSecond: Int32Array; // [pairs]
  pairOf: Int32Array; // [cells]
  outcome: Uint8Array; // [cells] 0 first won, 1 second won, 2 tie, 3 both bad
  count: Float64Array; // [cells]
}

/** Per distinct pair: the first policy's wins (ties count half) and the counted games. */
export interface PairTable {
  pairFirst: Int32Array;
  pairSecond: Int32Array;
  winsFirst: Float64Array; // [pairs]
  games: Float64Array; // [pairs] wins + losses + ties; both-bad never counts
}

const outcomeIndex: Record<Outcome, number> = { a: 0, b: 1, tie: 2, both_bad: 3 };

/** Indexes policies (sorted by name, plus any `extraPolicies`) and counts each (pair, outcome). */
export function aggregateJudgements(judgements: readonly PolicyJudgement[], extraPolicies: string[] = []): ComparisonCells {
  const names = new Set(extraPolicies);
  for (const j of judgements) names.add(j.a).add(j.b);
  const policies = [...names].sort();
  const index = new Map(policies.map((name, i) => [name, i]));
  const n = policies.length;
  const dense = new Map<number, number>(); // key = (first * n + second) * 4 + outcome
  for (const j of judgements) {
    if (j.a === j.b) throw new Error(`a judgement compares policy "${j.a}" with itself`);
    const ia = index.get(j.a)!;
    const ib = index.get(j.b)!;
    let o = outcomeIndex[j.outcome];
    if (o === undefined) throw new Error(`unknown outcome "${j.outcome}"`);
    if (ia > ib && o < 2) o = 1 - o; // canonical order: the first policy has the smaller index
    const key = (Math.min(ia, ib) * n + Math.max(ia, ib)) * 4 + o;
    const k = j.count ?? 1;
    if (!Number.isInteger(k) || k < 0) throw new Error(`judgement count must be a whole number, got ${k}`);
    dense.set(key, (dense.get(key) ?? 0) + k);
  }
  return cellsFromKeys(policies, dense);
}

function cellsFromKeys(policies: string[], dense: Map<number, number>): ComparisonCells {
  const n = policies.length;
  const keys = [...dense.keys()].sort((x, y) => x - y);
  const pairFirst: number[] = [];
  const pairSecond: number[] = [];
  const pairOf = new Int32Array(keys.length);
  const outcome = new Uint8Array(keys.length);
  const count = new Float64Array(keys.length);
  let lastPair = -1;
  keys.forEach((key, c) => {
    const pair = Math.floor(key / 4);
    if (pair !== lastPair) {
      pairFirst.push(Math.floor(pair / n));
      pairSecond.push(pair % n);
      lastPair = pair;
    }
    pairOf[c] = pairFirst.length - 1;
    outcome[c] = key % 4;
    count[c] = dense.get(key)!;
  });
  return { policies, pairFirst: Int32Array.from(pairFirst), pairSecond: Int32Array.from(pairSecond), pairOf, outcome, count };
}

/** Folds cell counts (the observed ones or a bootstrap resample) into per-pair wins and games. */
export function pairTable(cells: ComparisonCells, counts: ArrayLike<number> = cells.count): PairTable {
  const pairs = cells.pairFirst.length;
  const winsFirst = new Float64Array(pairs);
  const games = new Float64Array(pairs);
  for (let c = 0; c < cells.outcome.length; c++) {
    const o = cells.outcome[c];
    if (o === 3) continue; // both bad: reported, never a tie
    const p = cells.pairOf[c];
    games[p] += counts[c];
    if (o === 0) winsFirst[p] += counts[c];
    else if (o === 2) winsFirst[p] += 0.5 * counts[c];
  }
  return { pairFirst: cells.pairFirst, pairSecond: cells.pairSecond, winsFirst, games };
}

export interface PolicyTally {
  judgements: number;
  wins: number;
  losses: number;
  ties: number;
  bothBad: number;
}

/** Raw counts per policy, as shown beside its rating. */
export function tallies(cells: ComparisonCells): PolicyTally[] {
  const out = cells.policies.map(() => ({ judgements: 0, wins: 0, losses: 0, ties: 0, bothBad: 0 }));
  for (let c = 0; c < cells.outcome.length; c++) {
    const first = out[cells.pairFirst[cells.pairOf[c]]];
    const second = out[cells.pairSecond[cells.pairOf[c]]];
    const k = cells.count[c];
    first.judgements += k;
    second.judgements += k;
    const o = cells.outcome[c];
    if (o === 0) (first.wins += k), (second.losses += k);
    else if (o === 1) (first.losses += k), (second.wins += k);
    else if (o === 2) (first.ties += k), (second.ties += k);
    else (first.bothBad += k), (second.bothBad += k);
  }
  return out;
}

/** Connected-component label per policy over pairs with at least one counted game. */
export function components(table: PairTable, policyCount: number): Int32Array {
  const parent = Int32Array.from({ length: policyCount }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (let p = 0; p < table.games.length; p++) {
    if (table.games[p] > 0) parent[find(table.pairFirst[p])] = find(table.pairSecond[p]);
  }
  return Int32Array.from({ length: policyCount }, (_, i) => find(i));
}
