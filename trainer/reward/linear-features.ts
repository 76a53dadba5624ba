/**
 * Hashed word n-gram features of a response for the linear reward model. Hashing (Weinberger et
 * al. 2009, with a sign bit so collisions cancel in expectation) needs no vocabulary, so a model
 * is a fixed-size weight vector that scores any text, including words never seen in training.
 */

export interface LinearFeatureConfig {
  /** Hash buckets (a power of two); 2^18 keeps collisions rare for a project's vocabulary. */
  dimensions: number;
  /** Longest n-gram: 2 = unigrams and bigrams, which catch short phrases ("I'm sorry"). */
  maxNgram: number;
  /** Scale counts by 1/sqrt(n-grams) so long answers do not get large scores from length alone. */
  normalize: boolean;
  /** One extra feature, log(1 + words), so the model can still learn a length preference. */
  lengthFeature: boolean;
}

export const DEFAULT_FEATURE_CONFIG: LinearFeatureConfig = {
  dimensions: 1 << 18,
  maxNgram: 2,
  normalize: true,
  lengthFeature: true,
};

/** A sparse vector with distinct, ascending indices. */
export interface SparseVector {
  indices: Uint32Array;
  values: Float64Array;
}

/** Lower-cased words: runs of letters, digits and apostrophes (so "don't" stays one word). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

/** FNV-1a, 32 bits. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Collects a map into a sparse vector with ascending indices. */
export function toSparse(map: Map<number, number>): SparseVector {
  const indices = Uint32Array.from([...map.keys()].sort((a, b) => a - b));
  return { indices, values: Float64Array.from(indices, (i) => map.get(i)!) };
}

/** Feature vector of one response. The last bucket is reserved for the length feature. */
export function featurize(text: string, config: LinearFeatureConfig = DEFAULT_FEATURE_CONFIG): SparseVector {
  const tokens = words(text);
  const buckets = config.dimensions - 1;
  const counts = new Map<number, number>();
  let grams = 0;
  for (let n = 1; n <= config.maxNgram; n++) {
    for (let start = 0; start + n <= tokens.length; start++) {
      const h = hash32(`${n}:${tokens.slice(start, start + n).join(" ")}`);
      const index = (h & 0x7fffffff) % buckets; // bit 31 is the sign: keep it out of the index
      counts.set(index, (counts.get(index) ?? 0) + (h & 0x80000000 ? -1 : 1));
      grams++;
    }
  }
  const scale = config.normalize && grams > 0 ? 1 / Math.sqrt(grams) : 1;
  for (const [index, value] of counts) counts.set(index, value * scale);
  if (config.lengthFeature) counts.set(buckets, Math.log1p(tokens.length));
  return toSparse(counts);
}

/** a − b, merged by index (both inputs ascending). */
export function sparseDifference(a: SparseVector, b: SparseVector): SparseVector {
  const map = new Map<number, number>();
  a.indices.forEach((index, k) => map.set(index, a.values[k]));
  b.indices.forEach((index, k) => map.set(index, (map.get(index) ?? 0) - b.values[k]));
  return toSparse(map);
}

/** w · x for a dense weight vector and a sparse x. */
export function sparseDot(weights: ArrayLike<number>, x: SparseVector): number {
  let sum = 0;
  for (let k = 0; k < x.indices.length; k++) sum += weights[x.indices[k]] * x.values[k];
  return sum;
}
