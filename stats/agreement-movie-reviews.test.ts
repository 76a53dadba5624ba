// Agreement statistics on real multi-rater data: the VADER movie-review snippets, each rated
// -4..+4 by 15 to 29 anonymous people (raters are exchangeable, so each snippet is a unit).
// The checks here are cross-checks between independent computations, plus the measured values
// pinned to 4 decimals so a regression in any statistic shows up.

import { beforeAll, describe, expect, it } from "vitest";
import { fleissKappa, krippendorffAlpha, unitsFromValueLists, type Unit } from "./agreement";
import { createRng, shuffle } from "./random";
import { loadMovieRatings, type SnippetRatings } from "./simulated-annotator-ratings";

let snippets: SnippetRatings[];
let raw: Unit[];
let sign: Unit[];

beforeAll(() => {
  snippets = loadMovieRatings();
  raw = unitsFromValueLists(snippets.map((s) => s.ratings));
  sign = unitsFromValueLists(snippets.map((s) => s.ratings.map(Math.sign)));
});

/**
 * Interval alpha from the file's published mean and (population) sd columns only, in one-way
 * ANOVA form: within a unit, sum over ordered pairs of (v_i - v_j)² = 2 m_u² sd_u², so
 * D_o = (2/n) sum_u m_u² sd_u² / (m_u - 1) and D_e = 2 SS_total / (n - 1), with
 * SS_total = sum_u m_u (sd_u² + (mean_u - grand mean)²). For a constant m this is
 * 1 - MS_within / MS_total.
 */
function intervalAlphaFromMoments(rows: SnippetRatings[]): number {
  const n = rows.reduce((s, r) => s + r.ratings.length, 0);
  const grand = rows.reduce((s, r) => s + r.ratings.length * r.mean, 0) / n;
  let within = 0;
  let total = 0;
  for (const { ratings, mean, sd } of rows) {
    const m = ratings.length;
    within += (m * m * sd * sd) / (m - 1);
    total += m * (sd * sd + (mean - grand) ** 2);
  }
  return 1 - within / n / (total / (n - 1));
}

describe("agreement on the movie-review ratings", () => {
  it("loads 10,605 snippets whose ratings match the published mean and sd", () => {
    expect(snippets).toHaveLength(10605);
    expect(snippets.reduce((s, r) => s + r.ratings.length, 0)).toBe(198810);
    for (const { ratings, mean, sd } of snippets) {
      const m = ratings.reduce((a, b) => a + b, 0) / ratings.length;
      const popSd = Math.sqrt(ratings.reduce((a, b) => a + (b - m) ** 2, 0) / ratings.length);
      expect(Math.abs(m - mean)).toBeLessThan(1e-8);
      expect(Math.abs(popSd - sd)).toBeLessThan(1e-5);
    }
  });

  it("interval alpha equals the one-way ANOVA form computed from per-item variances", () => {
    const alpha = krippendorffAlpha(raw, "interval").alpha;
    // The sd column has 5 decimals; the resulting error in alpha is far below 1e-5.
    expect(Math.abs(alpha - intervalAlphaFromMoments(snippets))).toBeLessThan(1e-5);
    expect(alpha).toBeCloseTo(0.7983, 4);
  });

  it("Fleiss' kappa and nominal alpha on the sign agree exactly where every item has 15 ratings", () => {
    // With a constant m, D_o(alpha) = 1 - P-bar(Fleiss) and the two differ only in how chance
    // agreement is counted: alpha's D_e = 1 - sum n_c (n_c - 1) / (n (n - 1)).
    const equal = sign.filter((u) => u.values.length === 15);
    const f = fleissKappa(equal);
    const n = equal.length * 15;
    const counts = f.categoryShares.map((p) => p * n);
    const expectedDisagreement = 1 - counts.reduce((s, c) => s + c * (c - 1), 0) / (n * (n - 1));
    const alpha = krippendorffAlpha(equal, "nominal").alpha;
    expect(alpha).toBeCloseTo(1 - (1 - f.observedAgreement) / expectedDisagreement, 10);
  });

  it("measures sign and raw-scale agreement (pinned values)", () => {
    expect(fleissKappa(sign).kappa).toBeCloseTo(0.7164, 4);
    expect(krippendorffAlpha(sign, "nominal").alpha).toBeCloseTo(0.7219, 4);
    expect(krippendorffAlpha(raw, "nominal").alpha).toBeCloseTo(0.2474, 4);
    expect(krippendorffAlpha(raw, "ordinal").alpha).toBeCloseTo(0.7841, 4);
  });

  it("ordinal alpha depends only on the order of values, not their spacing", () => {
    const stretched = unitsFromValueLists(snippets.map((s) => s.ratings.map((r) => Math.exp(r))));
    expect(krippendorffAlpha(stretched, "ordinal").alpha).toBeCloseTo(krippendorffAlpha(raw, "ordinal").alpha, 10);
    expect(krippendorffAlpha(stretched, "interval").alpha).not.toBeCloseTo(krippendorffAlpha(raw, "interval").alpha, 2);
  });

  it("drops to about 0 when the ratings are shuffled across snippets (chance level)", () => {
    const pool = shuffle(createRng(1), snippets.flatMap((s) => s.ratings));
    let at = 0;
    const shuffled = unitsFromValueLists(snippets.map((s) => pool.slice(at, (at += s.ratings.length))));
    const shuffledSign = shuffled.map((u) => ({ ...u, values: u.values.map((v) => Math.sign(Number(v))) }));
    expect(Math.abs(fleissKappa(shuffledSign).kappa)).toBeLessThan(0.01);
    for (const metric of ["nominal", "ordinal", "interval"] as const) {
      expect(Math.abs(krippendorffAlpha(shuffled, metric).alpha)).toBeLessThan(0.01);
    }
  });
});
