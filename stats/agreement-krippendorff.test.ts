import { describe, expect, it } from "vitest";
import { krippendorffAlpha, type AlphaMetric } from "./agreement-krippendorff";
import { unitsFromRaterRows, unitsFromValueLists, type Unit } from "./agreement-units";
import { createRng, uniformInt } from "./random";

const _ = null;
// Krippendorff (2011), example C: 4 observers × 12 units, values 1..5, missing data.
// Published: nominal .743, ordinal .815, interval .849 (ratio .797).
const exampleC = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
  [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
];
// Wikipedia's "Krippendorff's alpha" computational example: 3 coders × 15 units.
const wikipedia = [
  [_, _, _, _, _, 3, 4, 1, 2, 1, 1, 3, 3, _, 3],
  [1, _, 2, 1, 3, 3, 4, 3, _, _, _, _, _, _, _],
  [_, _, 2, 1, 3, 4, 4, _, 2, 1, 1, 3, 3, _, 4],
];

/**
 * Naive reference straight from the definition, without a coincidence matrix:
 * D_o averages d² over all pairs of values within a unit (weight 1/(m_u - 1)),
 * D_e averages d² over all pairs of pairable values regardless of unit.
 */
function naiveAlpha(units: Unit[], metric: AlphaMetric): number {
  const pairable = units.filter((u) => u.values.length >= 2).map((u) => u.values as number[]);
  const pool = pairable.flat();
  const n = pool.length;
  const freq = (v: number) => pool.filter((x) => x === v).length;
  const d2 = (x: number, y: number): number => {
    if (metric === "nominal") return x === y ? 0 : 1;
    if (metric === "interval") return (x - y) ** 2;
    const [lo, hi] = x < y ? [x, y] : [y, x];
    const between = pool.filter((v) => v >= lo && v <= hi).length;
    return (between - (freq(lo) + freq(hi)) / 2) ** 2;
  };
  let within = 0;
  for (const vs of pairable) {
    for (let i = 0; i < vs.length; i++) {
      for (let j = 0; j < vs.length; j++) if (i !== j) within += d2(vs[i], vs[j]) / (vs.length - 1);
    }
  }
  let across = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) across += d2(pool[i], pool[j]);
  return 1 - within / n / (across / (n * (n - 1)));
}

describe("krippendorffAlpha", () => {
  it("reproduces Krippendorff 2011 example C for nominal, ordinal and interval data", () => {
    const units = unitsFromRaterRows(exampleC);
    expect(krippendorffAlpha(units, "nominal").alpha).toBeCloseTo(0.743, 3);
    expect(krippendorffAlpha(units, "ordinal").alpha).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(units, "interval").alpha).toBeCloseTo(0.849, 3);
    // Unit 12 has one value: not pairable. n = 40 pairable values.
    expect(krippendorffAlpha(units).units).toBe(11);
    expect(krippendorffAlpha(units).pairableValues).toBeCloseTo(40, 12);
  });

  it("reproduces Krippendorff 2011 example A by hand: binary, two observers, alpha = .095", () => {
    // o_00 = 10, o_01 = o_10 = 4, o_11 = 2; n_0 = 14, n_1 = 6, n = 20.
    // alpha = 1 - (n - 1) o_01 / (n_0 n_1) = 1 - 19 * 4 / 84 = 8/84.
    const units = unitsFromRaterRows([
      [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
      [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
    ]);
    const r = krippendorffAlpha(units, "nominal");
    expect(r.coincidences).toEqual([[10, 4], [4, 2]]);
    expect(r.alpha).toBeCloseTo(8 / 84, 12);
  });

  it("reproduces the Wikipedia example (nominal 0.691, interval 0.811)", () => {
    const units = unitsFromRaterRows(wikipedia);
    expect(krippendorffAlpha(units, "nominal").alpha).toBeCloseTo(0.691358, 6);
    expect(krippendorffAlpha(units, "interval").alpha).toBeCloseTo(0.810845, 6);
  });

  it("agrees with the naive pairwise definition on random data with missing values", () => {
    const rng = createRng(5);
    const lists = Array.from({ length: 40 }, () => {
      const truth = uniformInt(rng, 6);
      const m = uniformInt(rng, 5); // 0..4 values: some units unpairable
      return Array.from({ length: m }, () => (rng() < 0.5 ? truth : uniformInt(rng, 6)) * 1.5);
    });
    const units = unitsFromValueLists(lists);
    for (const metric of ["nominal", "ordinal", "interval"] as const) {
      expect(krippendorffAlpha(units, metric).alpha).toBeCloseTo(naiveAlpha(units, metric), 12);
    }
  });

  it("orders string values for ordinal alpha by the given scale", () => {
    const scale = ["very low", "low", "mid", "high", "very high"];
    const asWords = exampleC.map((row) => row.map((v) => (v === null ? null : scale[v - 1])));
    const r = krippendorffAlpha(unitsFromRaterRows(asWords), "ordinal", scale);
    expect(r.alpha).toBeCloseTo(krippendorffAlpha(unitsFromRaterRows(exampleC), "ordinal").alpha, 12);
    expect(() => krippendorffAlpha(unitsFromRaterRows(asWords), "interval")).toThrow();
  });

  it("is 1 for perfect agreement, NaN for constant values, near 0 for random values", () => {
    const perfect = unitsFromValueLists([[1, 1, 1], [2, 2], [3, 3, 3], [1, 1]]);
    for (const metric of ["nominal", "ordinal", "interval"] as const) {
      expect(krippendorffAlpha(perfect, metric).alpha).toBe(1);
    }
    expect(krippendorffAlpha(unitsFromValueLists([[4, 4], [4, 4, 4]])).alpha).toBeNaN();
    const rng = createRng(9);
    const random = Array.from({ length: 3000 }, () => Array.from({ length: 4 }, () => uniformInt(rng, 5)));
    expect(Math.abs(krippendorffAlpha(unitsFromValueLists(random), "interval").alpha)).toBeLessThan(0.02);
  });
});
