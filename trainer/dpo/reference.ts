// log π_ref(y|x) of every chosen and rejected completion, computed once per dataset on ONNX Runtime
// (~10× tfjs here) and cached on disk, instead of a second model held in memory through training.
// The cache is content-addressed: same weights, config, tokenizer and token ids → same file, so a
// resumed run, or another run on the same data and reference, reads it back instead of recomputing.
import { createHash, type Hash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CheckpointError } from "../checkpoint/errors";
import { weightFilePaths } from "../checkpoint/weight-files";
import { InputError } from "../errors";
import { openOnnxCheckpoint } from "../onnx/checkpoint";
import type { CausalLmShape } from "../onnx/forward";
import { completionLogprobs, planLogprobBatches } from "../onnx/logprobs";

export interface TokenizedCompletion { promptIds: number[]; completionIds: number[] } // prompt has ≥ 1 token

export interface ReferenceOptions {
  /** Where cached results live (e.g. under the runs root); none: always compute. */
  cacheDir?: string;
  /** Sequences per ONNX forward pass (also capped by the logits memory budget). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Bump when what is computed changes, so old cache files stop matching. */
const KEY_VERSION = "preflab-reference-logprobs-v1";
/** Files besides the weights whose bytes decide the numbers (tokenizer files: the ids were made with them). */
const KEYED_FILES = ["config.json", "tokenizer.json"];

/**
 * Every file hashed into the key: the weights as the checkpoint stores them (model.safetensors,
 * or the index and every shard of a larger model), then config and tokenizer. A single-file
 * checkpoint hashes exactly what it always did, so its existing cache files still match.
 */
function keyedFiles(checkpointDir: string): string[] {
  return [...weightFilePaths(checkpointDir), ...KEYED_FILES.map((name) => path.join(checkpointDir, name))];
}

/**
 * Summed completion log-probs under the checkpoint in `checkpointDir`, one per item, in order;
 * cached in `cacheDir` (when given) under a key of the checkpoint's weights+config+tokenizer and
 * the items, so a resumed run or a second run on the same data and reference does not recompute.
 */
export async function referenceLogprobs(checkpointDir: string, items: TokenizedCompletion[], options: ReferenceOptions = {}): Promise<Float64Array> {
  if (items.length === 0) return new Float64Array(0);
  const file = options.cacheDir ? referenceCachePath(options.cacheDir, await referenceCacheKey(checkpointDir, items)) : undefined;
  const cached = file ? readCache(file, items.length) : undefined;
  if (cached) {
    options.onProgress?.(items.length, items.length);
    return cached;
  }
  const values = await computeReference(checkpointDir, items, options);
  if (file) writeCache(file, values);
  return values;
}

/** sha256 (hex) over the checkpoint files' bytes and every item's token ids. */
export async function referenceCacheKey(checkpointDir: string, items: TokenizedCompletion[]): Promise<string> {
  const hash = createHash("sha256").update(KEY_VERSION);
  for (const file of keyedFiles(checkpointDir)) {
    if (!fs.existsSync(file)) throw new CheckpointError(file, "is missing");
    hash.update(`\0${path.basename(file)}\0`);
    await hashFile(hash, file);
  }
  hash.update(`\0items\0${items.length}`);
  // Lengths first in each record, so [1, 2] + [3] and [1] + [2, 3] never hash alike.
  for (const { promptIds, completionIds } of items) hash.update(Int32Array.from([promptIds.length, completionIds.length, ...promptIds, ...completionIds]));
  return hash.digest("hex");
}

export function referenceCachePath(cacheDir: string, key: string): string {
  return path.join(cacheDir, `reference-logprobs-${key}.f64`);
}

/** Streamed: GPT-2 small's weights are 500 MB. */
async function hashFile(hash: Hash, file: string): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
}

async function computeReference(checkpointDir: string, items: TokenizedCompletion[], options: ReferenceOptions): Promise<Float64Array> {
  const model = await openOnnxCheckpoint(checkpointDir);
  try {
    checkItems(items, model.lm.shape);
    const out = new Float64Array(items.length);
    const lengths = items.map((it) => it.promptIds.length + it.completionIds.length);
    // Planned here rather than inside completionLogprobs so progress can be reported per batch.
    let done = 0;
    for (const rows of planLogprobBatches(lengths, options.batchSize ?? 8, model.lm.shape.vocab)) {
      const results = await completionLogprobs(model.lm, rows.map((i) => items[i]), rows.length);
      rows.forEach((i, k) => (out[i] = results[k].total));
      done += rows.length;
      options.onProgress?.(done, items.length);
    }
    return out;
  } finally {
    await model.lm.release();
  }
}

/** Fails before any forward pass, naming the item (batches are sorted by length, so indices there are not the caller's). */
function checkItems(items: TokenizedCompletion[], shape: CausalLmShape): void {
  items.forEach((item, i) => {
    if (item.promptIds.length === 0) throw new InputError(`reference item ${i}: empty prompt; the first completion token needs a token to condition on (eos as BOS)`);
    const length = item.promptIds.length + item.completionIds.length;
    if (length > shape.contextLength) throw new InputError(`reference item ${i}: ${length} tokens, longer than the model's context of ${shape.contextLength}`);
  });
}

// Cache file: magic (8 bytes) | count (uint32 LE) | 0 (uint32) | sha256 of the values (32) | values (float64, native = LE).
const MAGIC = "PFREFLP1";
const HEADER_BYTES = 48;

const checksum = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest();

/** The cached values, or undefined when the file is absent, truncated or corrupt (then recomputed). */
function readCache(file: string, count: number): Float64Array | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (buf.length !== HEADER_BYTES + count * 8 || buf.toString("latin1", 0, 8) !== MAGIC || buf.readUInt32LE(8) !== count) return undefined;
  const payload = buf.subarray(HEADER_BYTES);
  if (!checksum(payload).equals(buf.subarray(16, HEADER_BYTES))) return undefined;
  const values = new Float64Array(count); // a copy: the file buffer need not be 8-byte aligned
  new Uint8Array(values.buffer).set(payload);
  return values;
}

/** Temporary name + rename: a crash or a racing writer never leaves half a cache file. */
function writeCache(file: string, values: Float64Array): void {
  const payload = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, "latin1");
  header.writeUInt32LE(values.length, 8);
  checksum(payload).copy(header, 16);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([header, payload]));
  fs.renameSync(tmp, file);
}
