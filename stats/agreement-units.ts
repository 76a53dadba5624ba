// Shared input shapes for the agreement statistics: one rating per (item, rater), grouped into
// "units" (Krippendorff's word for the things being rated). Raters are optional everywhere
// except the pairwise statistics, because several sources (the movie-review ratings, anonymous
// crowd labels) only know which values a unit received, not who gave them.

export type RatingValue = number | string;

export interface Rating {
  item: string;
  rater: string;
  value: RatingValue;
}

/** The values one unit received, in input order; nulls (missing ratings) already dropped. */
export interface Unit {
  item: string;
  values: RatingValue[];
}

/** Groups ratings by item, keeping first-seen item order so results are reproducible. */
export function unitsFromRatings(ratings: readonly Rating[]): Unit[] {
  const byItem = new Map<string, RatingValue[]>();
  for (const r of ratings) {
    const values = byItem.get(r.item);
    if (values) values.push(r.value);
    else byItem.set(r.item, [r.value]);
  }
  return [...byItem].map(([item, values]) => ({ item, values }));
}

/**
 * Converts Krippendorff's reliability-data layout (rows = raters, columns = units, null = the
 * rater did not rate that unit) into units. Columns are named by their index.
 */
export function unitsFromRaterRows(rows: ReadonlyArray<ReadonlyArray<RatingValue | null>>): Unit[] {
  const width = Math.max(0, ...rows.map((r) => r.length));
  const units: Unit[] = [];
  for (let col = 0; col < width; col++) {
    const values: RatingValue[] = [];
    for (const row of rows) {
      const v = row[col];
      if (v !== null && v !== undefined) values.push(v);
    }
    units.push({ item: String(col), values });
  }
  return units;
}

/** Unit value lists (e.g. 15 anonymous ratings per snippet) as units named by their index. */
export function unitsFromValueLists(lists: ReadonlyArray<ReadonlyArray<RatingValue | null>>): Unit[] {
  return lists.map((values, i) => ({
    item: String(i),
    values: values.filter((v): v is RatingValue => v !== null && v !== undefined),
  }));
}

/**
 * The distinct values in a stable order: numbers ascending (so ordinal statistics get the
 * natural order), strings by first appearance unless the caller gives an explicit order.
 */
export function categoriesOf(values: Iterable<RatingValue>, order?: readonly RatingValue[]): RatingValue[] {
  const seen = new Set<RatingValue>(values);
  if (order) {
    for (const v of seen) {
      if (!order.includes(v)) throw new Error(`value ${String(v)} is not in the given category order`);
    }
    return [...order];
  }
  const all = [...seen];
  if (all.every((v) => typeof v === "number")) return (all as number[]).sort((a, b) => a - b);
  if (all.some((v) => typeof v === "number")) throw new Error("mixed number and string values");
  return all;
}

/** Map from category to its index, the form every count table below is indexed by. */
export function indexCategories(categories: readonly RatingValue[]): Map<RatingValue, number> {
  return new Map(categories.map((c, i) => [c, i]));
}
