// Test helpers: a checkpoint problem must be a CheckpointError naming the file at fault; a
// sharded copy of a single-file checkpoint (transformers' layout for larger models).
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { CheckpointError } from "./errors";
import { readCheckpoint } from "./read";
import { writeSafetensors, type RawTensor } from "./safetensors";
import { WEIGHTS_INDEX_FILE } from "./weight-files";

/** Runs `read` and checks it throws a CheckpointError about `file` whose message matches `problem`. */
export function expectCheckpointError(read: () => unknown, file: string, problem: RegExp): void {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).file).toBe(file);
    expect((error as Error).message).toMatch(problem);
    return;
  }
  throw new Error("expected a CheckpointError");
}

/**
 * Writes into `dir` a copy of checkpoint `source` (config, tokenizer, generation config) whose
 * weights are split over `shards` (tensor name → tensor, one record per shard) plus the index;
 * `weightMap` overrides the index's map (to break it). Returns `dir`.
 */
export function writeShardedCopy(source: string, dir: string, shards: Array<Record<string, RawTensor>>, weightMap?: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json"]) {
    if (existsSync(join(source, f))) copyFileSync(join(source, f), join(dir, f));
  }
  const names = shards.map((_, i) => `model-${String(i + 1).padStart(5, "0")}-of-${String(shards.length).padStart(5, "0")}.safetensors`);
  const map: Record<string, string> = {};
  shards.forEach((tensors, i) => {
    writeFileSync(join(dir, names[i]), writeSafetensors(tensors));
    for (const name of Object.keys(tensors)) map[name] = names[i];
  });
  writeFileSync(join(dir, WEIGHTS_INDEX_FILE), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap ?? map }));
  return dir;
}

/** Checkpoint `source`'s weights split in two: the first `cut` parameters, then the rest. */
export function weightHalves(source: string, cut = 5): Array<Record<string, RawTensor>> {
  const entries = Object.entries(readCheckpoint(source).weights);
  return [Object.fromEntries(entries.slice(0, cut)), Object.fromEntries(entries.slice(cut))];
}
