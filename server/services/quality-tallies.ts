import { alphaFromCoincidences, fleissKappaFromCounts, type AlphaResult, type FleissResult, type RatingValue } from "../../stats/agreement";

/**
 * Streaming inputs of the counts-based agreement entry points in stats/: units (tasks, or
 * (task, completion) for rankings) arrive one at a time as small integer codes, and only their
 * counts are kept. Both reproduce the ratings-based functions (fleissKappa, krippendorffAlpha
 * over unitsFromRatings) exactly: same category order, same per-cell summation order.
 */

/** Fleiss' kappa over units with 2+ nominal values; categories in first-seen order, as categoriesOf does for strings. */
export class FleissTally {
  private readonly codes: number[] = [];
  private readonly ends: number[] = [];
  private readonly order: number[] = [];
  private readonly seen = new Set<number>();

  addUnit(codes: ArrayLike<number>, size: number): void {
    if (size < 2) return;
    for (let i = 0; i < size; i++) {
      const code = codes[i]!;
      this.codes.push(code);
      if (!this.seen.has(code)) (this.seen.add(code), this.order.push(code));
    }
    this.ends.push(this.codes.length);
  }

  /** Units with at least 2 values. */
  get units(): number {
    return this.ends.length;
  }

  result(valueOf: (code: number) => RatingValue): FleissResult | null {
    if (this.ends.length === 0) return null;
    const column = new Map(this.order.map((code, j) => [code, j]));
    let start = 0;
    const counts = this.ends.map((end) => {
      const row = new Array<number>(this.order.length).fill(0);
      for (let i = start; i < end; i++) row[column.get(this.codes[i]!)!] += 1;
      start = end;
      return row;
    });
    return fleissKappaFromCounts(counts, this.order.map(valueOf));
  }
}

/** Krippendorff's coincidence matrix over numeric values, built unit by unit. */
export class CoincidenceTally {
  private readonly slots = new Map<number, number>();
  private readonly values: number[] = [];
  private readonly o: number[][] = [];
  private pairable = 0;
  // Scratch for one unit: its distinct value slots and their counts (reused, no allocation per unit).
  private readonly distinct: number[] = [];
  private readonly counts: number[] = [];

  private slot(value: number): number {
    let s = this.slots.get(value);
    if (s === undefined) {
      s = this.values.length;
      this.slots.set(value, s);
      this.values.push(value);
      for (const row of this.o) row.push(0);
      this.o.push(new Array<number>(s + 1).fill(0));
    }
    return s;
  }

  /** Adds every ordered pair of the unit's values with weight 1 / (m − 1) (the zero terms skipped). */
  addUnit(values: ArrayLike<number>, size: number): void {
    if (size < 2) return;
    this.pairable += 1;
    const { distinct, counts } = this;
    let k = 0;
    for (let i = 0; i < size; i++) {
      const s = this.slot(values[i]!);
      let at = 0;
      while (at < k && distinct[at] !== s) at++;
      if (at === k) (distinct[k] = s), (counts[k++] = 0);
      counts[at] += 1;
    }
    for (let c = 0; c < k; c++)
      for (let d = 0; d < k; d++)
        this.o[distinct[c]!]![distinct[d]!] += (counts[c]! * (counts[d]! - (c === d ? 1 : 0))) / (size - 1);
  }

  /** Ordinal alpha over the values seen, numbers ascending; null with no pairable unit. */
  ordinalAlpha(): AlphaResult | null {
    if (this.pairable === 0) return null;
    const order = this.values.map((_, s) => s).sort((a, b) => this.values[a]! - this.values[b]!);
    const o = order.map((r) => order.map((c) => this.o[r]![c]!));
    return alphaFromCoincidences(o, order.map((s) => this.values[s]!), "ordinal", this.pairable);
  }
}
