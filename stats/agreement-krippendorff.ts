// Krippendorff's alpha, computed as in Krippendorff (2011) "Computing Krippendorff's
// Alpha-Reliability": build the coincidence matrix o_ck from all pairable values, then
// alpha = 1 - D_o / D_e = 1 - (n - 1) * sum(o_ck d²_ck) / sum(n_c n_k d²_ck).
// Missing data is natural here: a unit contributes whatever values it has, and units with
// fewer than 2 values are not pairable and drop out (they cannot show disagreement).

import { categoriesOf, indexCategories, type RatingValue, type Unit } from "./agreement-units";

export type AlphaMetric = "nominal" | "ordinal" | "interval";

export interface AlphaResult {
  /** NaN when D_e = 0 (all pairable values identical) or nothing is pairable. */
  alpha: number;
  observedDisagreement: number;
  expectedDisagreement: number;
  /** n: the number of pairable values (the coincidence matrix total). */
  pairableValues: number;
  /** Units with at least 2 values. */
  units: number;
  categories: RatingValue[];
  /** Coincidence matrix o_ck [k, k] in `categories` order (symmetric; rows sum to n_c). */
  coincidences: number[][];
}

/**
 * Coincidence matrix: each unit with m_u >= 2 values adds every ordered pair of its values
 * (distinct positions) with weight 1 / (m_u - 1), so each pairable value counts once in total.
 */
export function coincidenceMatrix(units: readonly Unit[], categories: readonly RatingValue[]): number[][] {
  const index = indexCategories(categories);
  const k = categories.length;
  const o = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const counts = new Array<number>(k);
  for (const { values } of units) {
    const m = values.length;
    if (m < 2) continue;
    counts.fill(0);
    for (const v of values) counts[index.get(v)!] += 1;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      for (let d = 0; d < k; d++) o[c][d] += (counts[c] * (counts[d] - (c === d ? 1 : 0))) / (m - 1);
    }
  }
  return o;
}

/**
 * Squared distances d²_ck for a metric. Ordinal uses Krippendorff's rank-based form
 * (sum of marginals n_g from c to k, minus half of n_c and n_k, squared), so only the order of
 * the values matters and their spacing comes from how often each value was used.
 */
export function squaredDistances(
  metric: AlphaMetric,
  categories: readonly RatingValue[],
  marginals: readonly number[],
): number[][] {
  const k = categories.length;
  const d = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let c = 0; c < k; c++) {
    for (let e = 0; e < k; e++) d[c][e] = pairDistance(metric, categories, marginals, c, e);
  }
  return d;
}

function pairDistance(
  metric: AlphaMetric,
  categories: readonly RatingValue[],
  marginals: readonly number[],
  c: number,
  e: number,
): number {
  if (c === e) return 0;
  if (metric === "nominal") return 1;
  if (metric === "interval") {
    const [x, y] = [categories[c], categories[e]];
    if (typeof x !== "number" || typeof y !== "number") throw new Error("interval alpha needs numbers");
    return (x - y) ** 2;
  }
  const [lo, hi] = c < e ? [c, e] : [e, c];
  let between = 0;
  for (let g = lo; g <= hi; g++) between += marginals[g];
  return (between - (marginals[lo] + marginals[hi]) / 2) ** 2;
}

/**
 * Krippendorff's alpha for units of values (any number of raters per unit, missing allowed).
 * For ordinal string values pass `order` (lowest first); numbers are ordered numerically.
 */
export function krippendorffAlpha(
  units: readonly Unit[],
  metric: AlphaMetric = "nominal",
  order?: readonly RatingValue[],
): AlphaResult {
  const pairable = units.filter((u) => u.values.length >= 2);
  const categories = categoriesOf(pairable.flatMap((u) => u.values), order);
  return alphaFromCoincidences(coincidenceMatrix(pairable, categories), categories, metric, pairable.length);
}

/**
 * Alpha from a coincidence matrix o_ck [k, k] already built (categories in scale order): the
 * entry point for callers that accumulate coincidences while streaming their units.
 */
export function alphaFromCoincidences(
  o: number[][],
  categories: RatingValue[],
  metric: AlphaMetric,
  units: number,
): AlphaResult {
  const marginals = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = marginals.reduce((s, x) => s + x, 0);
  const dist = squaredDistances(metric, categories, marginals);
  let observedSum = 0;
  let expectedSum = 0;
  for (let c = 0; c < categories.length; c++) {
    for (let e = 0; e < categories.length; e++) {
      observedSum += o[c][e] * dist[c][e];
      expectedSum += marginals[c] * marginals[e] * dist[c][e];
    }
  }
  const observedDisagreement = observedSum / n;
  const expectedDisagreement = expectedSum / (n * (n - 1));
  return {
    alpha: 1 - observedDisagreement / expectedDisagreement,
    observedDisagreement,
    expectedDisagreement,
    pairableValues: n,
    units,
    categories,
    coincidences: o,
  };
}
