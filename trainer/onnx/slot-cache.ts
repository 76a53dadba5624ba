// A KV cache kept in JS at a fixed capacity: each forward returns only the keys/values of the
// positions it was fed (kv_new.*), copied into the next free slots, and the whole buffer goes
// back in as the past with unfilled slots masked out. The model's own present outputs would
// be copied out whole on every step instead, which at a few hundred tokens of GPT-2 small costs
// more than the step's matmuls.
import type { CausalLmShape, KvCache } from "./forward";
import { float32Tensor, type OrtTensor } from "./session";

export class SlotCache {
  /** Per layer and kind ("0.key", ...): [batch, heads, capacity, headDim]. */
  private readonly buffers = new Map<string, Float32Array>();
  /** Slots holding real keys/values, the same for every row (rows step together). */
  filled = 0;

  constructor(private readonly shape: CausalLmShape, readonly batch: number, readonly capacity: number) {
    for (let i = 0; i < shape.layers; i++) {
      for (const kind of ["key", "value"]) this.buffers.set(`${i}.${kind}`, new Float32Array(batch * shape.heads * capacity * shape.headDim));
    }
  }

  /** Copies one forward's keys/values (ForwardOutput.newKv, [batch, heads, seq, headDim]) into the next slots. */
  append(newKv: Record<string, OrtTensor>, seq: number): void {
    if (this.filled + seq > this.capacity) throw new Error(`slot cache of ${this.capacity} cannot take ${this.filled} + ${seq} positions`);
    const { heads, headDim } = this.shape;
    for (const [name, buffer] of this.buffers) {
      const src = newKv[name].data as Float32Array;
      for (let row = 0; row < this.batch * heads; row++) {
        buffer.set(src.subarray(row * seq * headDim, (row + 1) * seq * headDim), (row * this.capacity + this.filled) * headDim);
      }
    }
    this.filled += seq;
  }

  /** Every slot as the model's past; the caller's attention mask must zero slots ≥ filled. */
  asPast(): KvCache {
    const entries: Record<string, OrtTensor> = {};
    for (const [name, buffer] of this.buffers) {
      entries[`past_key_values.${name}`] = float32Tensor(buffer, [this.batch, this.shape.heads, this.capacity, this.shape.headDim]);
    }
    return { batch: this.batch, length: this.capacity, entries };
  }

  /** Attention mask for a step over all slots plus `seq` new tokens: row masks for filled slots, 0 for empty ones. */
  stepMask(rowMasks: number[][], seq: number): number[] {
    return rowMasks.flatMap((mask) => [
      ...mask.slice(0, this.filled),
      ...new Array<number>(this.capacity - this.filled).fill(0),
      ...mask.slice(this.filled, this.filled + seq),
    ]);
  }
}
