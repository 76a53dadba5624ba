// Agreement per item: the share of an item's ratings that agree with its most common value.
// Exports use it to keep only items whose labels are trustworthy ("minimum agreement 0.8").

import type { RatingValue, Unit } from "./agreement-units";

export interface ItemAgreement {
  item: string;
  ratings: number;
  /** The most common value; null when two or more values tie for most common (no majority). */
  majority: RatingValue | null;
  /** Count of the most common value / ratings; 1 for a single rating, NaN for none. */
  share: number;
}

/** Per-item majority share, in input order. */
export function itemAgreement(units: readonly Unit[]): ItemAgreement[] {
  return units.map(({ item, values }) => {
    const counts = new Map<RatingValue, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    let top = 0;
    let majority: RatingValue | null = null;
    for (const [value, count] of counts) {
      if (count > top) (top = count), (majority = value);
      else if (count === top) majority = null;
    }
    return { item, ratings: values.length, majority, share: top / values.length };
  });
}

/**
 * Items whose majority share is at least `minShare` and that have at least `minRatings`
 * ratings. The default minRatings of 2 matters: a single rating always "agrees" with itself,
 * which says nothing about the item.
 */
export function itemsWithMinAgreement(units: readonly Unit[], minShare: number, minRatings = 2): Set<string> {
  const keep = new Set<string>();
  for (const a of itemAgreement(units)) {
    if (a.ratings >= minRatings && a.share >= minShare) keep.add(a.item);
  }
  return keep;
}
