// A causal LM exported to ONNX, run on ONNX Runtime: one forward pass over a batch, with or
// without a KV cache. Callers (log-probs, generation) deal in plain number arrays; ORT tensors
// and the cache's per-layer names stay inside this file.
import { InputError } from "../errors";
import type { Gpt2Config } from "../models/gpt2";
import { float32Tensor, floatData, int64Tensor, OnnxSession, type OrtTensor, type SessionConfig } from "./session";

/** What the runtime needs to know about an exported model beyond its graph. */
export interface CausalLmShape {
  /** Transformer blocks: one key and one value cache entry each. */
  layers: number;
  heads: number;
  headDim: number;
  vocab: number;
  /** Longest sequence (past + new) the position embedding covers. */
  contextLength: number;
}

export function gpt2Shape(config: Gpt2Config): CausalLmShape {
  return {
    layers: config.n_layer,
    heads: config.n_head,
    headDim: config.n_embd / config.n_head,
    vocab: config.vocab_size,
    contextLength: config.n_positions,
  };
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
}

export interface ForwardOutput {
  logits: Float32Array; // [batch, seq, vocab]
  present: KvCache;
}

export class OnnxCausalLm {
  private constructor(private readonly session: OnnxSession, readonly shape: CausalLmShape) {}

  /** `model` is ONNX bytes or a path to `model.onnx`. */
  static async create(model: Uint8Array | string, shape: CausalLmShape, config: SessionConfig = {}): Promise<OnnxCausalLm> {
    const session = await OnnxSession.create(model, config);
    const missing = ["input_ids", "attention_mask", "position_ids", "past_key_values.0.key"].filter((n) => !session.inputNames.includes(n));
    if (missing.length > 0) throw new Error(`ONNX model lacks input(s) ${missing.join(", ")}: export it with the KV cache`);
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
    const total = past.length + seq;
    if (total > this.shape.contextLength) throw new InputError(`sequence of ${total} tokens exceeds the model's context of ${this.shape.contextLength} (n_positions)`);
    if (past.batch !== batch) throw new Error(`cache holds ${past.batch} rows, input has ${batch}`);
    checkIds(input.ids, this.shape.vocab);
    const out = await this.session.run({
      input_ids: int64Tensor(input.ids, [batch, seq]),
      attention_mask: int64Tensor(input.attentionMask, [batch, total]),
      position_ids: int64Tensor(input.positionIds, [batch, seq]),
      ...past.entries,
    });
    const entries: Record<string, OrtTensor> = {};
    for (let i = 0; i < this.shape.layers; i++) {
      for (const kind of ["key", "value"]) entries[`past_key_values.${i}.${kind}`] = out[`present.${i}.${kind}`];
    }
    return { logits: floatData(out.logits), present: { batch, length: total, entries } };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

// ORT's own message for a bad id is a Gather bounds error deep in the graph; name the real problem.
function checkIds(ids: ArrayLike<number>, vocab: number): void {
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i] >= 0 && ids[i] < vocab)) throw new InputError(`token id ${ids[i]} is outside the model's vocabulary of ${vocab}`);
  }
}
