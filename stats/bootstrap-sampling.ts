/**
 * Exact binomial and multinomial draws, so that a bootstrap over a million judgements can
 * resample the few thousand *aggregated* counts instead of the million rows: drawing N rows with
 * replacement from cells with counts c_k is exactly Multinomial(N, c / N) over the cells.
 */
import type { Rng } from "./random";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SMALL_TABLE = 256;
const logFactorialTable = (() => {
  const table = new Float64Array(SMALL_TABLE);
  for (let k = 1; k < SMALL_TABLE; k++) table[k] = table[k - 1] + Math.log(k);
  return table;
})();

/** log(k!) exactly from a table below 256, by Stirling's series (error < 1e-15) above. */
export function logFactorial(k: number): number {
  if (k < SMALL_TABLE) return logFactorialTable[k];
  const x = k + 1;
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
  return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + series;
}

/** Inversion by sequential search: exact and fast while the mean n·p is small (< 10). */
function binomialInversion(rng: Rng, n: number, p: number): number {
  const q = 1 - p;
  const s = p / q;
  const a = (n + 1) * s;
  let r = Math.pow(q, n);
  let u = rng();
  let x = 0;
  while (u > r && x < n) {
    u -= r;
    x++;
    r *= a / x - s;
  }
  return x;
}

/**
 * BTRS: Hörmann (1993), "The generation of binomial random variates", transformed rejection
 * with squeeze. Exact; needs p <= 1/2 and n·p >= 10; a couple of uniforms per draw on average.
 */
function binomialBtrs(rng: Rng, n: number, p: number): number {
  const spq = Math.sqrt(n * p * (1 - p));
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vR = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const lpq = Math.log(p / (1 - p));
  const m = Math.floor((n + 1) * p);
  const h = logFactorial(m) + logFactorial(n - m);
  for (;;) {
    const u = rng() - 0.5;
    const v = rng();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vR) return k;
    const lhs = Math.log((v * alpha) / (a / (us * us) + b));
    if (lhs <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
  }
}

/** One Binomial(n, p) draw, exact for any n (integer >= 0) and p in [0, 1]. */
export function binomial(rng: Rng, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(rng, n, 1 - p);
  return n * p < 10 ? binomialInversion(rng, n, p) : binomialBtrs(rng, n, p);
}

/**
 * Multinomial(n, weights / sum(weights)) by conditional binomials: cell k gets
 * Binomial(n left, w_k / weight left). Writes into `out` (same length as weights) and returns it.
 */
export function multinomial(rng: Rng, n: number, weights: ArrayLike<number>, out: Float64Array): Float64Array {
  let remainingN = n;
  let remainingWeight = 0;
  let lastPositive = -1; // takes whatever is left, so rounding in the weight sums loses nothing
  for (let k = 0; k < weights.length; k++) {
    remainingWeight += weights[k];
    if (weights[k] > 0) lastPositive = k;
  }
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k];
    let draw = 0;
    if (k === lastPositive) draw = remainingN;
    else if (remainingN > 0 && w > 0) draw = binomial(rng, remainingN, Math.min(1, w / remainingWeight));
    out[k] = draw;
    remainingN -= draw;
    remainingWeight -= w;
  }
  return out;
}
