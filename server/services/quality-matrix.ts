import { cohenKappa, type Rating, type RatingValue } from "../../stats/agreement";

/**
 * Annotator × annotator agreement (percent and Cohen's kappa on shared items), built item by
 * item: each item adds its value pairs to the pairs of raters who rated it, so the work is the
 * number of co-rated pairs (3 per item at overlap 3), not raters² × items as comparing every
 * rater pair's full item lists would be. The kappas come from stats/agreement-cohen.
 */
export interface MatrixPair {
  a: string;
  b: string;
  shared: number;
  percentAgreement: number;
  /** NaN when undefined (see cohenKappa). */
  kappa: number;
}

export function pairwiseAgreement(ratings: readonly Rating[], minShared: number): { raters: string[]; pairs: MatrixPair[] } {
  const byItem = new Map<string, Map<string, RatingValue>>();
  for (const r of ratings) {
    let raters = byItem.get(r.item);
    if (!raters) byItem.set(r.item, (raters = new Map()));
    raters.set(r.rater, r.value);
  }
  const lists = new Map<string, { a: string; b: string; xs: RatingValue[]; ys: RatingValue[] }>();
  for (const raters of byItem.values()) {
    const entries = [...raters].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    for (let i = 0; i < entries.length; i++)
      for (let j = i + 1; j < entries.length; j++) {
        const key = `${entries[i]![0]}\u0000${entries[j]![0]}`;
        let list = lists.get(key);
        if (!list) lists.set(key, (list = { a: entries[i]![0], b: entries[j]![0], xs: [], ys: [] }));
        list.xs.push(entries[i]![1]);
        list.ys.push(entries[j]![1]);
      }
  }
  const pairs = [...lists.values()]
    .filter((l) => l.xs.length >= minShared)
    .map(({ a, b, xs, ys }) => {
      const { kappa, observedAgreement } = cohenKappa(xs, ys);
      return { a, b, shared: xs.length, percentAgreement: observedAgreement, kappa };
    })
    .sort((p, q) => (p.a === q.a ? (p.b < q.b ? -1 : 1) : p.a < q.a ? -1 : 1));
  const raters = [...new Set(ratings.map((r) => r.rater))].sort();
  return { raters, pairs };
}
