// Annotator × annotator agreement: for every pair of raters who rated enough of the same
// items, their percent agreement and Cohen's kappa on those shared items. This is the table
// that shows *who* disagrees with whom (one careless annotator shows up as a low row).

import { cohenKappa, type KappaWeights } from "./agreement-cohen";
import type { Rating, RatingValue } from "./agreement-units";

export interface PairAgreement {
  a: string;
  b: string;
  /** Items both raters rated. */
  shared: number;
  /** Share of shared items with identical values. */
  percentAgreement: number;
  /** Cohen's kappa on the shared items (NaN when undefined, see cohenKappa). */
  kappa: number;
}

export interface AgreementMatrixOptions {
  /** Pairs sharing fewer items are left out: kappa on a handful of items is mostly noise. */
  minShared?: number;
  /** Passed to cohenKappa; "none" for nominal outcomes such as left/right/tie. */
  weights?: KappaWeights;
}

export interface AgreementMatrix {
  /** Every rater seen, sorted, so a UI can lay out a square grid. */
  raters: string[];
  /** One entry per unordered pair (a < b) with at least minShared shared items. */
  pairs: PairAgreement[];
}

/** rater → (item → value). A later rating of the same item by the same rater replaces the earlier. */
function byRater(ratings: readonly Rating[]): Map<string, Map<string, RatingValue>> {
  const out = new Map<string, Map<string, RatingValue>>();
  for (const r of ratings) {
    let items = out.get(r.rater);
    if (!items) out.set(r.rater, (items = new Map()));
    items.set(r.item, r.value);
  }
  return out;
}

function comparePair(
  a: string,
  b: string,
  left: Map<string, RatingValue>,
  right: Map<string, RatingValue>,
  options: AgreementMatrixOptions,
): PairAgreement | null {
  const xs: RatingValue[] = [];
  const ys: RatingValue[] = [];
  for (const [item, v] of left) {
    const w = right.get(item);
    if (w !== undefined) (xs.push(v), ys.push(w));
  }
  if (xs.length === 0 || xs.length < (options.minShared ?? 5)) return null;
  const { kappa, observedAgreement } = cohenKappa(xs, ys, { weights: options.weights });
  return { a, b, shared: xs.length, percentAgreement: observedAgreement, kappa };
}

/** Pairwise agreement for all raters; defaults: minShared 5, unweighted kappa. */
export function agreementMatrix(ratings: readonly Rating[], options: AgreementMatrixOptions = {}): AgreementMatrix {
  const items = byRater(ratings);
  const raters = [...items.keys()].sort();
  const pairs: PairAgreement[] = [];
  for (let i = 0; i < raters.length; i++) {
    for (let j = i + 1; j < raters.length; j++) {
      const pair = comparePair(raters[i], raters[j], items.get(raters[i])!, items.get(raters[j])!, options);
      if (pair) pairs.push(pair);
    }
  }
  return { raters, pairs };
}
