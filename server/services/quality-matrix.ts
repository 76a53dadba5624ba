import { categoriesOf, cohenKappaFromTable, type Rating, type RatingValue } from "../../stats/agreement";

/**
 * Annotator × annotator agreement (percent and Cohen's kappa on shared items), built item by
 * item: each item adds its value pairs to the pairs of raters who rated it, so the work is the
 * number of co-rated pairs (3 per item at overlap 3), not raters² × items as comparing every
 * rater pair's full item lists would be. Each rater pair keeps a cross table of value codes,
 * never the lists, and the kappas come from stats' cohenKappaFromTable with the categories in
 * the order cohenKappa would give them (first seen in the first rater's list, then the
 * second's), so the numbers are exactly those of stats' agreementMatrix.
 */

export interface MatrixPair {
  a: string;
  b: string;
  shared: number;
  percentAgreement: number;
  /** NaN when undefined (see cohenKappa). */
  kappa: number;
}

/** One rater pair, lo < hi by rater index: cross counts keyed lo code × CODES + hi code. */
interface PairCounts {
  lo: number;
  hi: number;
  shared: number;
  cells: Map<number, number>;
  loSeen: number[];
  hiSeen: number[];
}

const CODES = 1 << 20;
const byName = (p: { a: string; b: string }, q: { a: string; b: string }) => (p.a === q.a ? (p.b < q.b ? -1 : 1) : p.a < q.a ? -1 : 1);

export class PairMatrix {
  private readonly pairs = new Map<number, PairCounts>();
  private readonly raters = new Set<number>();

  /** raters: non-negative integer ids below 2^26; codes: value codes below 2^20. */
  constructor(private readonly nameOf: (rater: number) => string) {}

  /** One item: distinct raters and their value codes, `size` entries of each. */
  addItem(raters: ArrayLike<number>, codes: ArrayLike<number>, size: number): void {
    for (let i = 0; i < size; i++) this.raters.add(raters[i]!);
    for (let i = 0; i < size; i++)
      for (let j = i + 1; j < size; j++) {
        if (raters[i]! < raters[j]!) this.count(raters[i]!, raters[j]!, codes[i]!, codes[j]!);
        else this.count(raters[j]!, raters[i]!, codes[j]!, codes[i]!);
      }
  }

  private count(lo: number, hi: number, loCode: number, hiCode: number): void {
    const key = lo * 0x4000000 + hi;
    let p = this.pairs.get(key);
    if (!p) this.pairs.set(key, (p = { lo, hi, shared: 0, cells: new Map(), loSeen: [], hiSeen: [] }));
    p.shared += 1;
    const cell = loCode * CODES + hiCode;
    p.cells.set(cell, (p.cells.get(cell) ?? 0) + 1);
    if (!p.loSeen.includes(loCode)) p.loSeen.push(loCode);
    if (!p.hiSeen.includes(hiCode)) p.hiSeen.push(hiCode);
  }

  result(minShared: number, valueOf: (code: number) => RatingValue): { raters: string[]; pairs: MatrixPair[] } {
    const pairs = [...this.pairs.values()].filter((p) => p.shared >= minShared).map((p) => this.agreement(p, valueOf));
    return { raters: [...this.raters].map(this.nameOf).sort(), pairs: pairs.sort(byName) };
  }

  /** Rater a is the one whose name sorts first: its codes are cohenKappa's first list. */
  private agreement(p: PairCounts, valueOf: (code: number) => RatingValue): MatrixPair {
    const [loName, hiName] = [this.nameOf(p.lo), this.nameOf(p.hi)];
    const loFirst = loName < hiName;
    const [aSeen, bSeen] = loFirst ? [p.loSeen, p.hiSeen] : [p.hiSeen, p.loSeen];
    const codeOf = new Map([...aSeen, ...bSeen].map((code) => [valueOf(code), code]));
    const categories = categoriesOf([...aSeen, ...bSeen].map(valueOf)).map((v) => codeOf.get(v)!);
    const table = categories.map((x) =>
      categories.map((y) => p.cells.get(loFirst ? x * CODES + y : y * CODES + x) ?? 0),
    );
    const { kappa, observedAgreement } = cohenKappaFromTable(table);
    return { a: loFirst ? loName : hiName, b: loFirst ? hiName : loName, shared: p.shared, percentAgreement: observedAgreement, kappa };
  }
}

/** Pairwise agreement of ratings (a later rating by the same rater of the same item replaces the earlier). */
export function pairwiseAgreement(ratings: readonly Rating[], minShared: number): { raters: string[]; pairs: MatrixPair[] } {
  const raterIds = new Map<string, number>();
  const codes = new Map<RatingValue, number>();
  const byItem = new Map<string, Map<number, number>>();
  for (const r of ratings) {
    if (!raterIds.has(r.rater)) raterIds.set(r.rater, raterIds.size);
    if (!codes.has(r.value)) codes.set(r.value, codes.size);
    let raters = byItem.get(r.item);
    if (!raters) byItem.set(r.item, (raters = new Map()));
    raters.set(raterIds.get(r.rater)!, codes.get(r.value)!);
  }
  const names = [...raterIds.keys()];
  const values = [...codes.keys()];
  const matrix = new PairMatrix((id) => names[id]!);
  for (const raters of byItem.values()) matrix.addItem([...raters.keys()], [...raters.values()], raters.size);
  return matrix.result(minShared, (code) => values[code]!);
}
