// A causal LM exported to ONNX, run on ONNX Runtime: one forward pass over a batch, with or
// without a KV cache. Callers (log-probs, generation) deal in plain number arrays; ORT tensors
// and the cache's per-layer names stay inside this file.
import { InputError } from "../errors";
import { modelDims, type ModelConfig } from "../models/model-config";
import type { OnnxExport } from "./external-data";
import { float32Tensor, floatData, int64Tensor, OnnxSession, type OrtTensor, type SessionConfig } from "./session";

/** What the runtime needs to know about an exported model beyond its graph. */
export interface CausalLmShape {
  /** Transformer blocks: one key and one value cache entry each. */
  layers: number;
  /** Heads in the KV cache (GPT-2's n_head, Llama's num_key_value_heads). */
  heads: number;
  headDim: number;
  vocab: number;
  /** Longest sequence (past + new) the positions cover. */
  contextLength: number;
}

export function causalLmShape(config: ModelConfig): CausalLmShape {
  const { layers, kvHeads, headDim, vocab, contextLength } = modelDims(config);
  return { layers, heads: kvHeads, headDim, vocab, contextLength };
}

/** Keys and values of every layer for `length` positions: [batch, heads, length, headDim] each. */
export interface KvCache {
  batch: number;
  length: number;
  entries: Record<string, OrtTensor>;
}

/** One forward call. Arrays are flat row-major; `past` defaults to an empty cache. */
export interface ForwardInput {
  batch: number;
  /** New tokens per row. */
  seq: number;
  ids: ArrayLike<number>; // [batch, seq]
  attentionMask: ArrayLike<number>; // [batch, past + seq]: 1 = real token, 0 = padding
  positionIds: ArrayLike<number>; // [batch, seq]
  past?: KvCache;
  /**
   * Which outputs to copy back to JS: "all" (logits + the whole present cache), "logits", or
   * "new" (logits + only this call's keys/values, for a cache kept in JS: see slot-cache.ts).
   * Presents grow with the context and copying them out dominates long decodes.
   */
  outputs?: "all" | "logits" | "new";
}

export interface ForwardOutput {
  logits: Float32Array; // [batch, seq, vocab]
  /** With outputs "all": the cache after this call. */
  present?: KvCache;
  /** With outputs "new": `${layer}.key|value` → [batch, heads, seq, headDim]. */
  newKv?: Record<string, OrtTensor>;
}

/** An export from an older preflab, missing outputs this version reads: export again. */
export class OutdatedExportError extends Error {}

/** Name of the export's output holding only the keys/values of the positions just fed. */
export const newKvName = (layer: number, kind: "key" | "value") => `kv_new.${layer}.${kind}`;

export class OnnxCausalLm {
  private constructor(private readonly session: OnnxSession, readonly shape: CausalLmShape) {}

  /** `model` is ONNX bytes, a path to `model.onnx` (its `model.onnx_data` beside it), or an in-memory export. */
  static async create(model: Uint8Array | string | OnnxExport, shape: CausalLmShape, config: SessionConfig = {}): Promise<OnnxCausalLm> {
    const session = await OnnxSession.create(model, config);
    const missing = ["input_ids", "attention_mask", "position_ids", "past_key_values.0.key"].filter((n) => !session.inputNames.includes(n));
    if (missing.length > 0) throw new Error(`ONNX model lacks input(s) ${missing.join(", ")}: export it with the KV cache`);
    if (!session.outputNames.includes(newKvName(0, "key"))) throw new OutdatedExportError(`ONNX model lacks the ${newKvName(0, "key")} output: re-export it with this version of preflab`);
    return new OnnxCausalLm(session, shape);
  }

  emptyCache(batch: number): KvCache {
    const { layers, heads, headDim } = this.shape;
    const entries: Record<string, OrtTensor> = {};
    for (let i = 0; i < layers; i++) {
      for (const kind of ["key", "value"]) entries[`past_key_values.${i}.${kind}`] = float32Tensor(new Float32Array(0), [batch, heads, 0, headDim]);
    }
    return { batch, length: 0, entries };
  }

  async forward(input: ForwardInput): Promise<ForwardOutput> {
    const { batch, seq } = input;
    const past = input.past ?? this.emptyCache(batch);
    if (past.batch !== batch) throw new Error(`cache holds ${past.batch} rows, input has ${batch}`);
    checkInput(input, this.shape);
    const mode = input.outputs ?? "all";
    const out = await this.session.run({
      input_ids: int64Tensor(input.ids, [batch, seq]),
      attention_mask: int64Tensor(input.attentionMask, [batch, past.length + seq]),
      position_ids: int64Tensor(input.positionIds, [batch, seq]),
      ...past.entries,
    }, mode === "all" ? undefined : ["logits", ...(mode === "new" ? this.cacheNames(newKvName) : [])]);
    const result: ForwardOutput = { logits: floatData(out.logits) };
    if (mode === "all") result.present = { batch, length: past.length + seq, entries: this.rename(out, (i, kind) => `present.${i}.${kind}`, (i, kind) => `past_key_values.${i}.${kind}`) };
    if (mode === "new") result.newKv = this.rename(out, newKvName, (i, kind) => `${i}.${kind}`);
    return result;
  }

  private cacheNames(name: (layer: number, kind: "key" | "value") => string): string[] {
    return Array.from({ length: this.shape.layers }, (_, i) => [name(i, "key"), name(i, "value")]).flat();
  }

  private rename(out: Record<string, OrtTensor>, from: (i: number, kind: "key" | "value") => string, to: (i: number, kind: "key" | "value") => string): Record<string, OrtTensor> {
    const entries: Record<string, OrtTensor> = {};
    for (let i = 0; i < this.shape.layers; i++) {
      for (const kind of ["key", "value"] as const) entries[to(i, kind)] = out[from(i, kind)];
    }
    return entries;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

// ORT's own message for a bad id or position is a Gather bounds error deep in the graph; name
// the real problem. Positions, not the attention length, are bounded: a slot cache attends over
// more (masked) keys than the sequence has tokens.
function checkInput(input: ForwardInput, shape: CausalLmShape): void {
  for (let i = 0; i < input.ids.length; i++) {
    const id = input.ids[i];
    if (!(id >= 0 && id < shape.vocab)) throw new InputError(`token id ${id} is outside the model's vocabulary of ${shape.vocab}`);
  }
  let last = -1;
  for (let i = 0; i < input.positionIds.length; i++) last = Math.max(last, input.positionIds[i]);
  if (last >= shape.contextLength) throw new InputError(`sequence of ${last + 1} tokens exceeds the model's context of ${shape.contextLength}`);
}
