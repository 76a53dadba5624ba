// Fleiss' kappa (Fleiss 1971) for many raters, nominal categories, raters exchangeable.
//
// Variable numbers of ratings per item are allowed: each item's agreement is
// P_i = sum_j n_ij (n_ij - 1) / (n_i (n_i - 1)), the share of agreeing ordered rater pairs
// within the item; P-bar is the plain mean of P_i over items (every item counts once, as in
// Fleiss), and chance agreement P_e = sum_j p_j^2 with p_j pooled over all ratings. With a
// constant n_i this is exactly Fleiss' 1971 formula.
//
// Items with fewer than 2 ratings are EXCLUDED entirely (from P-bar and from p_j): one rating
// has no pair to agree or disagree with, so it carries no information about agreement.

import { categoriesOf, indexCategories, type RatingValue, type Unit } from "./agreement-units";

export interface FleissResult {
  /** NaN when P_e = 1 (every kept rating is the same category) or no item has 2+ ratings. */
  kappa: number;
  /** Mean observed agreement P-bar. */
  observedAgreement: number;
  /** Chance agreement P_e. */
  expectedAgreement: number;
  /** Items used (those with at least 2 ratings). */
  items: number;
  /** Pooled category proportions p_j, in `categories` order. */
  categoryShares: number[];
  categories: RatingValue[];
}

/** Fleiss' kappa from units (item → the values it received). */
export function fleissKappa(units: readonly Unit[], order?: readonly RatingValue[]): FleissResult {
  const kept = units.filter((u) => u.values.length >= 2);
  const categories = categoriesOf(kept.flatMap((u) => u.values), order);
  const index = indexCategories(categories);
  const counts = kept.map((u) => {
    const row = new Array<number>(categories.length).fill(0);
    for (const v of u.values) row[index.get(v)!] += 1;
    return row;
  });
  return fleissKappaFromCounts(counts, categories);
}

/**
 * Fleiss' kappa from an items × categories count table (the layout of Fleiss' own tables):
 * counts[i][j] = how many raters put item i in category j.
 */
export function fleissKappaFromCounts(
  counts: ReadonlyArray<ReadonlyArray<number>>,
  categories?: RatingValue[],
): FleissResult {
  const k = counts[0]?.length ?? 0;
  const totals = new Array<number>(k).fill(0);
  let ratings = 0;
  let agreementSum = 0;
  let items = 0;
  for (const row of counts) {
    const n = row.reduce((s, x) => s + x, 0);
    if (n < 2) continue;
    items += 1;
    ratings += n;
    agreementSum += row.reduce((s, x) => s + x * (x - 1), 0) / (n * (n - 1));
    row.forEach((x, j) => (totals[j] += x));
  }
  const shares = totals.map((t) => t / ratings);
  const observed = agreementSum / items;
  const expected = shares.reduce((s, p) => s + p * p, 0);
  return {
    kappa: (observed - expected) / (1 - expected),
    observedAgreement: observed,
    expectedAgreement: expected,
    items,
    categoryShares: shares,
    categories: categories ?? shares.map((_, j) => j),
  };
}
