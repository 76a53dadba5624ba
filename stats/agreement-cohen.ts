// Cohen's kappa for two raters (Cohen 1960) and its weighted form for ordinal values
// (Cohen 1968): kappa = 1 - sum(w * observed) / sum(w * expected), where "expected" is the
// product of the two raters' marginal distributions. With 0/1 weights this is exactly
// (p_o - p_e) / (1 - p_e).

import { categoriesOf, indexCategories, type RatingValue } from "./agreement-units";

export type KappaWeights = "none" | "linear" | "quadratic";

export interface CohenOptions {
  /** "none" for nominal values; "linear"/"quadratic" penalise by distance on the ordinal scale. */
  weights?: KappaWeights;
  /**
   * Category order for the weights. Default: the distinct observed values (numbers ascending),
   * so a category nobody used does not stretch the scale (what R's irr::kappa2 does).
   */
  categories?: readonly RatingValue[];
}

export interface CohenResult {
  kappa: number;
  /** Share of items on which the two raters gave the same value. */
  observedAgreement: number;
  /** Number of items both raters rated (pairs with a null on either side are dropped). */
  n: number;
}

/** Disagreement weight between category indices i and j on a scale of k categories. */
function disagreementWeight(kind: KappaWeights, i: number, j: number, k: number): number {
  if (i === j) return 0;
  if (kind === "none" || k < 2) return 1;
  const d = Math.abs(i - j) / (k - 1);
  return kind === "linear" ? d : d * d;
}

/** Counts table [k, k]: rows rater a, columns rater b. */
function crossTable(a: readonly RatingValue[], b: readonly RatingValue[], index: Map<RatingValue, number>) {
  const k = index.size;
  const table = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let t = 0; t < a.length; t++) table[index.get(a[t])!][index.get(b[t])!] += 1;
  return table;
}

/**
 * Cohen's kappa of two aligned rating lists (a[t] and b[t] rate the same item; null = missing).
 * Undefined (NaN) when chance agreement is already perfect, e.g. both raters always give the
 * same single value: 0/0, there is no disagreement left to beat chance on. NaN also for n = 0.
 */
export function cohenKappa(
  a: ReadonlyArray<RatingValue | null>,
  b: ReadonlyArray<RatingValue | null>,
  options: CohenOptions = {},
): CohenResult {
  if (a.length !== b.length) throw new Error("cohenKappa needs two aligned lists of equal length");
  const xs: RatingValue[] = [];
  const ys: RatingValue[] = [];
  a.forEach((v, t) => {
    const w = b[t];
    if (v !== null && w !== null) (xs.push(v), ys.push(w));
  });
  const categories = categoriesOf([...xs, ...ys], options.categories);
  return cohenKappaFromTable(crossTable(xs, ys, indexCategories(categories)), options.weights);
}

/**
 * Cohen's kappa from a [k, k] cross table (rows rater a, columns rater b, categories in scale
 * order): the entry point for callers that count pairs themselves instead of listing them,
 * e.g. an annotator matrix over a million judgements. NaN as in cohenKappa.
 */
export function cohenKappaFromTable(table: ReadonlyArray<ReadonlyArray<number>>, weights: KappaWeights = "none"): CohenResult {
  const k = table.length;
  const rowSums = table.map((row) => row.reduce((s, x) => s + x, 0));
  const colSums = table.map((_, j) => table.reduce((s, row) => s + row[j], 0));
  const n = rowSums.reduce((s, x) => s + x, 0);
  let observed = 0;
  let expected = 0;
  let agree = 0;
  for (let i = 0; i < k; i++) {
    agree += table[i][i];
    for (let j = 0; j < k; j++) {
      const w = disagreementWeight(weights, i, j, k);
      observed += (w * table[i][j]) / n;
      expected += (w * rowSums[i] * colSums[j]) / (n * n);
    }
  }
  return { kappa: 1 - observed / expected, observedAgreement: agree / n, n };
}
