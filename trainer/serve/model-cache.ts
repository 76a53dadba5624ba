/**
 * Checkpoints opened on ONNX Runtime for serving (/v1 and live battles), kept open between
 * requests: opening one costs a session build (and an export when it is stale), a request should
 * not. A few stay open (least recently used leave first); one is released only once no request
 * still generates with it. A checkpoint rewritten on disk is opened again. Kept on globalThis:
 * Next.js bundles each route separately, and they must share one cache per process.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { weightFilePaths } from "../checkpoint/weight-files";
import { openOnnxCheckpoint, type OnnxLanguageModel } from "../onnx/checkpoint";

/** Open checkpoints kept at most (PREFLAB_SERVE_MODELS overrides). */
const capacity = () => Math.max(1, Number(process.env.PREFLAB_SERVE_MODELS) || 4);

interface Entry {
  model: Promise<OnnxLanguageModel>;
  users: number;
  evicted: boolean;
}

const global = globalThis as unknown as { preflabServeModels?: Map<string, Entry> };
const cache = () => (global.preflabServeModels ??= new Map());

/**
 * The checkpoint's identity on disk: its directory and when each of its weight files (one
 * model.safetensors, or the index and every shard) was last written.
 */
function keyOf(dir: string): string {
  let stamps = "";
  try {
    stamps = weightFilePaths(dir).map((file) => statSync(file).mtimeMs).join(",");
  } catch {
    // no (complete) weights: openOnnxCheckpoint says what is missing
  }
  return `${path.resolve(/*turbopackIgnore: true*/ dir)}@${stamps}`;
}

function release(entry: Entry): void {
  void entry.model.then((m) => m.lm.release()).catch(() => {});
}

function evictBeyondCapacity(): void {
  const entries = cache();
  for (const [key, entry] of entries) {
    if (entries.size <= capacity()) return;
    entries.delete(key);
    entry.evicted = true;
    if (entry.users === 0) release(entry);
  }
}

/** Runs `fn` with the checkpoint open; opens it (one session per process, one thread) when needed. */
export async function withServedModel<T>(dir: string, fn: (model: OnnxLanguageModel) => Promise<T>): Promise<T> {
  const entries = cache();
  const key = keyOf(dir);
  let entry = entries.get(key);
  if (entry) entries.delete(key); // re-inserted below: most recently used last
  else {
    entry = { model: openOnnxCheckpoint(dir, { intraOpNumThreads: 1 }), users: 0, evicted: false };
    entry.model.catch(() => entries.get(key) === entry && entries.delete(key)); // a failed open is not cached
  }
  entries.set(key, entry);
  evictBeyondCapacity();
  entry.users++;
  try {
    return await fn(await entry.model);
  } finally {
    entry.users--;
    if (entry.evicted && entry.users === 0) release(entry);
  }
}
