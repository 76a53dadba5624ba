// A sentiment scorer fitted on real human ratings: ridge regression of the movie-review snippets'
// mean rating (-4..+4, 15+ raters each; data/movie-reviews/, see data/README.md) on hashed word
// unigrams and bigrams. It is the HIDDEN preference of the simulated annotator and the demo loop
// (the DPO paper's controlled-sentiment task used a sentiment classifier the same way): it scores
// any text, the built-in policy's imperfect English included, higher = more positive, in rating
// units. Dependency-free and fitted in well under a second, so no weights file is shipped: the
// fit is a pure function of the shipped data and the constants below.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createRng, shuffle } from "./random";

export interface RatedSnippet {
  id: number;
  /** Mean human rating, -4 (extremely negative) .. +4 (extremely positive). */
  rating: number;
  text: string;
}

export const snippetsPath = fileURLToPath(new URL("../data/movie-reviews/movieReviewSnippets_GroundTruth.txt", import.meta.url));

/** `id<TAB>mean_rating<TAB>text` lines; blank lines ignored. */
export function parseRatedSnippets(text: string): RatedSnippet[] {
  const out: RatedSnippet[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const [id, rating, ...rest] = line.split("\t");
    out.push({ id: Number(id), rating: Number(rating), text: rest.join("\t") });
  }
  return out;
}

export function loadRatedSnippets(path: string = snippetsPath): RatedSnippet[] {
  return parseRatedSnippets(readFileSync(path, "utf8"));
}

// 2^18 buckets: the snippets hold ~110k distinct uni+bigrams, so collisions stay rare.
const BUCKETS = 1 << 18;
const BIAS = BUCKETS; // one extra, always-1 feature: the intercept

interface Sparse { indices: number[]; values: number[] }

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Lower-cased words (letters, digits, apostrophes), then uni+bigram counts / sqrt(n-grams), plus the bias. */
export function sentimentFeatures(text: string): Sparse {
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  const grams = [...words, ...words.slice(1).map((w, i) => `${words[i]} ${w}`)];
  const counts = new Map<number, number>();
  for (const g of grams) {
    const h = fnv1a(g);
    const index = (h & 0x7fffffff) % BUCKETS; // the top bit is a sign, so collisions cancel on average
    counts.set(index, (counts.get(index) ?? 0) + (h & 0x80000000 ? -1 : 1));
  }
  const scale = grams.length > 0 ? 1 / Math.sqrt(grams.length) : 1;
  const indices = [...counts.keys(), BIAS];
  return { indices, values: [...indices.slice(0, -1).map((i) => counts.get(i)! * scale), 1] };
}

export interface SentimentScorer {
  /** Predicted mean human rating of `text`: higher = more positive. */
  score(text: string): number;
}

export interface FitOptions {
  /** Ridge strength λ (on every weight; the intercept barely moves since ratings are near-centred). Picked on a held-out split. */
  lambda?: number;
  /** Conjugate-gradient iterations on the normal equations. */
  iterations?: number;
}

export const DEFAULT_LAMBDA = 0.3;
export const DEFAULT_ITERATIONS = 40;

/** Sparse rows over compact feature ids (CSR), so the solver never sweeps all 2^18 buckets. */
interface Design { starts: Int32Array; cols: Int32Array; vals: Float64Array; dims: number; bucketOf: Int32Array }

function design(rows: Sparse[]): Design {
  const idOf = new Map<number, number>();
  const nnz = rows.reduce((s, r) => s + r.indices.length, 0);
  const starts = new Int32Array(rows.length + 1);
  const cols = new Int32Array(nnz);
  const vals = new Float64Array(nnz);
  let k = 0;
  rows.forEach((row, n) => {
    row.indices.forEach((bucket, j) => {
      if (!idOf.has(bucket)) idOf.set(bucket, idOf.size);
      cols[k] = idOf.get(bucket)!;
      vals[k++] = row.values[j];
    });
    starts[n + 1] = k;
  });
  const bucketOf = new Int32Array(idOf.size);
  for (const [bucket, id] of idOf) bucketOf[id] = bucket;
  return { starts, cols, vals, dims: idOf.size, bucketOf };
}

/** Solves (XᵀX + λI) w = Xᵀy by conjugate gradients; returns w over all buckets. */
function ridge(rows: Sparse[], y: number[], lambda: number, iterations: number): Float64Array {
  const { starts, cols, vals, dims, bucketOf } = design(rows);
  const apply = (v: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < dims; i++) out[i] = lambda * v[i];
    for (let n = 0; n + 1 < starts.length; n++) {
      let dot = 0;
      for (let k = starts[n]; k < starts[n + 1]; k++) dot += v[cols[k]] * vals[k];
      for (let k = starts[n]; k < starts[n + 1]; k++) out[cols[k]] += dot * vals[k];
    }
  };
  const w = new Float64Array(dims);
  const r = new Float64Array(dims); // residual b − A·0 = Xᵀy
  for (let n = 0; n < y.length; n++) for (let k = starts[n]; k < starts[n + 1]; k++) r[cols[k]] += vals[k] * y[n];
  const p = Float64Array.from(r);
  const ap = new Float64Array(dims);
  let rr = r.reduce((s, x) => s + x * x, 0);
  for (let it = 0; it < iterations && rr > 1e-10; it++) {
    apply(p, ap);
    let pap = 0;
    for (let i = 0; i < dims; i++) pap += p[i] * ap[i];
    const alpha = rr / pap;
    let next = 0;
    for (let i = 0; i < dims; i++) {
      w[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
      next += r[i] * r[i];
    }
    for (let i = 0; i < dims; i++) p[i] = r[i] + (next / rr) * p[i];
    rr = next;
  }
  const full = new Float64Array(BUCKETS + 1);
  bucketOf.forEach((bucket, id) => (full[bucket] = w[id]));
  return full;
}

export function fitSentimentScorer(snippets: readonly RatedSnippet[], options: FitOptions = {}): SentimentScorer {
  const rows = snippets.map((s) => sentimentFeatures(s.text));
  const w = ridge(rows, snippets.map((s) => s.rating), options.lambda ?? DEFAULT_LAMBDA, options.iterations ?? DEFAULT_ITERATIONS);
  return {
    score(text: string): number {
      const x = sentimentFeatures(text);
      let sum = 0;
      for (let k = 0; k < x.indices.length; k++) sum += w[x.indices[k]] * x.values[k];
      return sum;
    },
  };
}

export function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Pearson r between predicted and mean human rating on a seeded held-out share of the snippets. */
export function heldOutCorrelation(snippets: readonly RatedSnippet[], options: FitOptions & { testFraction?: number; seed?: number } = {}) {
  const shuffled = shuffle(createRng(options.seed ?? 1), [...snippets]);
  const testSize = Math.round(shuffled.length * (options.testFraction ?? 0.2));
  const [test, train] = [shuffled.slice(0, testSize), shuffled.slice(testSize)];
  const scorer = fitSentimentScorer(train, options);
  return { r: pearson(test.map((s) => scorer.score(s.text)), test.map((s) => s.rating)), train: train.length, test: test.length };
}

let shared: SentimentScorer | undefined;

/** The scorer fitted on every shipped snippet, once per process (~0.5 s). */
export function movieSentimentScorer(): SentimentScorer {
  shared ??= fitSentimentScorer(loadRatedSnippets());
  return shared;
}
