/**
 * A tiny seeded PRNG and the few sampling helpers preflab needs (bootstraps, splits, synthetic
 * data). Seeded so that every test, benchmark and data split is reproducible; not for secrets.
 *
 * Generator: mulberry32 (Tommy Ettinger), 32-bit state, period 2^32, passes PractRand to
 * a few GiB. Outputs are multiples of 2^-32 in [0, 1): plenty for resampling, not for
 * simulations needing more than ~4e9 draws from one stream.
 */

/** A stream of uniform numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32 seeded by any number (its low 32 bits); the same seed gives the same stream. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a string (FNV-1a), so that callers can seed by name ("split:project-3"). */
export function seedFromString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Uniform integer in [0, n). Multiplication, not modulo, so small n has no visible bias. */
export function uniformInt(rng: Rng, n: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`uniformInt needs a positive integer, got ${n}`);
  return Math.floor(rng() * n);
}

/** k items drawn independently and uniformly from `items` (the bootstrap's resample). */
export function sampleWithReplacement<T>(rng: Rng, items: readonly T[], k = items.length): T[] {
  if (items.length === 0 && k > 0) throw new RangeError("cannot sample from an empty list");
  const out: T[] = new Array(k);
  for (let i = 0; i < k; i++) out[i] = items[uniformInt(rng, items.length)];
  return out;
}

/** Fisher-Yates shuffle in place; returns the same array for chaining. */
export function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = uniformInt(rng, i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** Standard normal by Box-Muller (one of the pair is dropped: simplicity over speed). */
export function standardNormal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log(0) must not happen
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
