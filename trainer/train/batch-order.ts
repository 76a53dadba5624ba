// Which examples a step trains on: a function of the seed and the step alone, so a run resumed at
// step k sees exactly the batches it would have seen, and two runs with one seed see the same.
import { createRng, shuffle } from "../../stats/random";

/** Indices of step `step`'s batch: consecutive slices of a per-epoch shuffle of 0..n-1. */
export function batchIndices(step: number, batchSize: number, n: number, seed: number): number[] {
  const permutations = new Map<number, number[]>();
  const permutation = (epoch: number) => {
    let p = permutations.get(epoch);
    if (!p) permutations.set(epoch, (p = shuffle(createRng(seed * 1009 + epoch), Array.from({ length: n }, (_, i) => i))));
    return p;
  };
  return Array.from({ length: Math.min(batchSize, n) }, (_, k) => {
    const at = step * Math.min(batchSize, n) + k;
    return permutation(Math.floor(at / n))[at % n]!;
  });
}

/** Steps in `epochs` passes over `n` examples at `batchSize` per step (at least one). */
export function stepsForEpochs(epochs: number, n: number, batchSize: number): number {
  return Math.max(1, Math.ceil(epochs * Math.ceil(n / Math.min(batchSize, Math.max(1, n)))));
}
