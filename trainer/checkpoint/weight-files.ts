// Where a Hugging Face checkpoint keeps its weights: one `model.safetensors`, or (transformers'
// layout above its shard size, e.g. Llama-3.2-3B) `model.safetensors.index.json` whose weight_map
// sends each tensor to one of several `model-0000k-of-0000n.safetensors` shards. Both read
// through the same file reader, tensor by tensor; every problem is a CheckpointError naming the file.
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { CheckpointError } from "./errors";
import { readSafetensorsFile, safetensorsNames, SafetensorsError, type RawTensor } from "./safetensors";

export const WEIGHTS_FILE = "model.safetensors";
export const WEIGHTS_INDEX_FILE = "model.safetensors.index.json";

export interface WeightFiles {
  /** The file errors about the set as a whole name: model.safetensors, or the index. */
  source: string;
  /** The safetensors files holding the tensors (one, or the shards in name order). */
  files: string[];
  /** Tensor name → the file that holds it (the index's weight_map); undefined for a single file. */
  weightMap?: Record<string, string>;
}

function readIndex(dir: string): WeightFiles {
  const index = join(dir, WEIGHTS_INDEX_FILE);
  let parsed: { weight_map?: unknown };
  try {
    parsed = JSON.parse(readFileSync(index, "utf8"));
  } catch (error) {
    throw new CheckpointError(index, `is not valid JSON (${(error as Error).message})`);
  }
  const map = parsed?.weight_map;
  if (typeof map !== "object" || map === null || Object.values(map).some((f) => typeof f !== "string")) {
    throw new CheckpointError(index, "has no weight_map of tensor name → shard file");
  }
  const weightMap: Record<string, string> = {};
  for (const [name, file] of Object.entries(map as Record<string, string>)) {
    // A shard is a file beside the index, never a path elsewhere on the machine.
    if (basename(file) !== file || file === "..") throw new CheckpointError(index, `names shard "${file}", which is not a file in the checkpoint directory`);
    weightMap[name] = join(dir, file);
  }
  const files = [...new Set(Object.values(weightMap))].sort(); // model-00001-of-… first
  for (const file of files) {
    if (!existsSync(file)) throw new CheckpointError(file, `is missing (${WEIGHTS_INDEX_FILE} lists its tensors)`);
  }
  return { source: index, files, weightMap };
}

/** Which files hold a checkpoint's weights; throws CheckpointError when there are none. */
export function findWeightFiles(dir: string): WeightFiles {
  const single = join(dir, WEIGHTS_FILE);
  if (existsSync(single)) return { source: single, files: [single] };
  if (existsSync(join(dir, WEIGHTS_INDEX_FILE))) return readIndex(dir);
  throw new CheckpointError(single, `is missing (only safetensors weights are supported: ${WEIGHTS_FILE}, or ${WEIGHTS_INDEX_FILE} with its shards)`);
}

/** Every file the weights are made of (index included): what a copy or a staleness check covers. */
export function weightFilePaths(dir: string): string[] {
  const found = findWeightFiles(dir);
  return found.weightMap ? [found.source, ...found.files] : found.files;
}

/** One safetensors file of a checkpoint (weights, optimizer state), tensor by tensor; a malformed file is a CheckpointError naming it. */
export function readCheckpointTensors(file: string, wanted: (name: string) => boolean = () => true): Record<string, RawTensor> {
  try {
    return readSafetensorsFile(file, wanted).tensors;
  } catch (error) {
    if (error instanceof SafetensorsError) throw new CheckpointError(file, error.message);
    throw error;
  }
}

function namesIn(file: string): string[] {
  try {
    return safetensorsNames(file);
  } catch (error) {
    if (error instanceof SafetensorsError) throw new CheckpointError(file, error.message);
    throw error;
  }
}

/** Reads the tensors `wanted` picks (only those are decoded), from one file or every shard. */
export function readWeightTensors(found: WeightFiles, wanted: (name: string) => boolean): Record<string, RawTensor> {
  const weightMap = found.weightMap;
  if (!weightMap) return readCheckpointTensors(found.source, wanted);
  const holder = new Map<string, string>();
  for (const file of found.files) {
    for (const name of namesIn(file)) {
      const other = holder.get(name);
      if (other) throw new CheckpointError(file, `holds tensor ${name}, which ${basename(other)} holds too`);
      holder.set(name, file);
    }
  }
  for (const [name, file] of Object.entries(weightMap)) {
    if (holder.get(name) !== file) throw new CheckpointError(file, `has no tensor ${name}, which ${WEIGHTS_INDEX_FILE} places there`);
  }
  const tensors: Record<string, RawTensor> = {};
  for (const file of found.files) Object.assign(tensors, readCheckpointTensors(file, (name) => weightMap[name] === file && wanted(name)));
  return tensors;
}
