// Pieces of causal self-attention shared by every architecture builder (GPT-2, Llama): the
// padding mask, the masked softmax over scaled scores, and the merge of heads back into the
// residual width. Heads are [batch, heads, seq, headDim] throughout.
import type { GraphBuilder } from "../graph/builder";

// torch.finfo(float32).min: HF fills masked attention scores with it.
const MASK_VALUE = -3.4028234663852886e38;

/** What every attention layer of a graph reads: the padding mask and the fill value. */
export interface AttentionMask {
  /** bool [batch, 1, 1, total]: true for real tokens. */
  keep: string;
  minValue: string;
}

/** The padding mask from the attention_mask input (int64 [batch, total]). */
export function attentionMask(g: GraphBuilder, mask: string): AttentionMask {
  const keep = g.op("reshape", "pad_mask", [g.op("cast", "pad_mask", [mask], { to: "bool" })], { shape: [0, 1, 1, -1] });
  return { keep, minValue: g.scalar("mask_value", MASK_VALUE) };
}

/**
 * softmax(q·kᵀ/√headDim, causal + padding masked)·v for q [batch, heads, seq, headDim] and k, v
 * [batch, heads, total, headDim]; returns the merged heads [batch, seq, heads·headDim].
 */
export function causalAttention(g: GraphBuilder, p: string, q: string, k: string, v: string, mask: AttentionMask, heads: number, headDim: number): string {
  const kT = g.op("transpose", p, [k], { perm: [0, 1, 3, 2] });
  const scores = g.op("div", p, [g.op("matmul", p, [q, kT], {}), g.scalar(p, Math.sqrt(headDim))], {}); // [batch, heads, seq, total]
  const allowed = g.op("and", p, [g.op("causalMask", p, [scores], {}), mask.keep], {}); // [batch, 1, seq, total]
  const probs = g.op("softmax", p, [g.op("where", p, [allowed, scores, mask.minValue], {})], { axis: -1 });
  const merged = g.op("transpose", p, [g.op("matmul", p, [probs, v], {})], { perm: [0, 2, 1, 3] }); // [batch, seq, heads, headDim]
  return g.op("reshape", p, [merged], { shape: [0, 0, heads * headDim] });
}

/** [batch, seq, heads·headDim] → [batch, heads, seq, headDim]. */
export function splitHeads(g: GraphBuilder, p: string, x: string, heads: number, headDim: number): string {
  return g.op("transpose", p, [g.op("reshape", p, [x], { shape: [0, 0, heads, headDim] })], { perm: [0, 2, 1, 3] });
}

/**
 * With a KV cache: declares past_key_values.{i}.key|value [batch, heads, past, headDim] and
 * returns the keys/values over past + new positions, named present.{i}.key|value.
 */
export function withPast(g: GraphBuilder, p: string, i: number, k: string, v: string, heads: number, headDim: number): [string, string] {
  const pastShape = ["batch", heads, "past", headDim];
  const pastK = g.input(`past_key_values.${i}.key`, "float32", pastShape);
  const pastV = g.input(`past_key_values.${i}.value`, "float32", pastShape);
  return [
    g.op("concat", p, [pastK, k], { axis: 2 }, `present.${i}.key`),
    g.op("concat", p, [pastV, v], { axis: 2 }, `present.${i}.value`),
  ];
}

/** Declares the present.{i}.key|value outputs [batch, heads, total, headDim] of every layer. */
export function presentOutputs(g: GraphBuilder, layers: number, heads: number, headDim: number): void {
  for (let i = 0; i < layers; i++) {
    g.output(`present.${i}.key`, "float32", ["batch", heads, "total", headDim]);
    g.output(`present.${i}.value`, "float32", ["batch", heads, "total", headDim]);
  }
}
