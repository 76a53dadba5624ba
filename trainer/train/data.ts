// Training data for language modelling: documents tokenized and joined by end-of-text tokens into
// one stream (nanoGPT's train.bin), split into train/validation, sampled as random windows.
import { readFileSync } from "node:fs";
import { documentStream } from "../tokenizer/sequence-start";
import type { Tokenizer } from "../tokenizer/tokenizer";

/** The review texts of the movie-review snippets file (tab-separated; column 3 is the text). */
export function readMovieReviews(path: string): string[] {
  return readFileSync(path, "utf8").split("\n").map((line) => line.split("\t")[2]?.trim()).filter((t): t is string => !!t);
}

/** Deterministic split: every `1/valFraction`-th document goes to validation. */
export function splitDocuments(docs: string[], valFraction: number): { train: string[]; val: string[] } {
  const every = Math.max(2, Math.round(1 / valFraction));
  return { train: docs.filter((_, i) => i % every !== 0), val: docs.filter((_, i) => i % every === 0) };
}

/**
 * One token stream: each document started as the tokenizer starts a sequence and followed by eos
 * (so the model learns where reviews end).
 */
export function tokenStream(docs: string[], tokenizer: Tokenizer): Int32Array {
  return Int32Array.from(documentStream(tokenizer, docs));
}

/** A batch of next-token examples: inputs[b][t] predicts targets[b][t] = inputs[b][t+1]. */
export interface LmBatch {
  inputs: number[][];
  targets: number[][];
}

/** `batch` random windows of `block`+1 tokens from the stream. */
export function sampleBatch(stream: Int32Array, batch: number, block: number, rand: () => number): LmBatch {
  const inputs: number[][] = [];
  const targets: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const start = Math.floor(rand() * (stream.length - block - 1));
    const window = Array.from(stream.subarray(start, start + block + 1));
    inputs.push(window.slice(0, block));
    targets.push(window.slice(1));
  }
  return { inputs, targets };
}
