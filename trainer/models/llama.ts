// The Llama family (Hugging Face LlamaForCausalLM and Qwen2ForCausalLM), written once as a
// primitive-op graph like gpt2.ts, with the same graph inputs and outputs so every engine,
// exporter and trainer that runs GPT-2 runs it too. Parameter names and layouts are Hugging
// Face's: nn.Linear weights are [out, in], transposed in the graph (GPT-2's Conv1D is [in, out]).
//
// Block: h += o_proj(attention(RoPE(q), RoPE(k), v)) on RMSNorm(h); h += down(silu(gate(x))·up(x))
// on RMSNorm(h). Grouped-query attention keeps num_key_value_heads heads in the KV cache
// (transformers.js's layout: past_key_values.{i}.key [batch, kv_heads, past, head_dim]) and
// repeats them num_attention_heads / num_key_value_heads times after it, as HF's repeat_kv.
import { GraphBuilder } from "../graph/builder";
import type { Graph } from "../graph/ir";
import { attentionMask, causalAttention, presentOutputs, splitHeads, withPast, type AttentionMask } from "./attention";

/** RoPE frequency scaling from config.json's rope_scaling (null: none). */
export type RopeScaling =
  | { rope_type: "linear"; factor: number }
  | { rope_type: "llama3"; factor: number; low_freq_factor: number; high_freq_factor: number; original_max_position_embeddings: number };

/** The fields of an HF Llama / Qwen2 `config.json` that shape the graph. */
export interface LlamaConfig {
  model_type: "llama" | "qwen2";
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  /** Heads of K and V (grouped-query attention); num_attention_heads must be a multiple. */
  num_key_value_heads: number;
  /** SwiGLU hidden width. */
  intermediate_size: number;
  vocab_size: number;
  /** Context length: positions the rotary tables cover. */
  max_position_embeddings: number;
  rms_norm_eps: number;
  rope_theta: number;
  rope_scaling?: RopeScaling | null;
  /** lm_head shares model.embed_tokens.weight (no lm_head.weight tensor). */
  tie_word_embeddings: boolean;
  /** Llama: biases on q/k/v/o projections. Qwen2 always has q/k/v biases and no o bias. */
  attention_bias: boolean;
  /** Biases on gate/up/down projections. */
  mlp_bias: boolean;
  /** Per-head width; absent means hidden_size / num_attention_heads. */
  head_dim?: number | null;
  hidden_act: "silu";
  /** Std of the normal init for weights (only used when training from scratch). */
  initializer_range?: number;
}

/** Which variant of the graph to build (as GPT-2's). */
export interface LlamaGraphOptions {
  /** Add past_key_values.{i}.key|value inputs (concatenated before attention). */
  kvCache?: boolean;
  /** Also output `last_hidden_state` (after model.norm), for reward/value heads. */
  hiddenState?: boolean;
}

export function llamaHeadDim(config: LlamaConfig): number {
  return config.head_dim ?? config.hidden_size / config.num_attention_heads;
}

/** Builds the graph: inputs input_ids/attention_mask/position_ids, output logits (+ presents, last_hidden_state). */
export function buildLlamaGraph(config: LlamaConfig, options: LlamaGraphOptions = {}): Graph {
  const g = new GraphBuilder(config.model_type);
  const { hidden_size: e, vocab_size: vocab } = config;
  const std = config.initializer_range ?? 0.02;
  const ids = g.input("input_ids", "int64", ["batch", "seq"]);
  const mask = g.input("attention_mask", "int64", ["batch", "total"]);
  const pos = g.input("position_ids", "int64", ["batch", "seq"]);
  const embed = g.param("model.embed_tokens.weight", [vocab, e], { kind: "normal", std });
  let h = g.op("gather", "embed_tokens", [embed, ids], { axis: 0 }); // [batch, seq, e]
  const masks = attentionMask(g, mask);
  const rope = rotaryTables(g, config, pos);
  for (let i = 0; i < config.num_hidden_layers; i++) h = llamaBlock(g, config, i, h, masks, rope, options);
  const hf = rmsNorm(g, config, "model.norm", h, "last_hidden_state");
  const head = config.tie_word_embeddings ? embed : g.param("lm_head.weight", [vocab, e], { kind: "normal", std });
  g.op("matmul", "lm_head", [hf, g.op("transpose", "lm_head", [head], { perm: [1, 0] })], {}, "logits"); // [batch, seq, vocab]
  g.output("logits", "float32", ["batch", "seq", vocab]);
  if (options.hiddenState) g.output("last_hidden_state", "float32", ["batch", "seq", e]);
  if (options.kvCache) presentOutputs(g, config.num_hidden_layers, config.num_key_value_heads, llamaHeadDim(config));
  return g.build();
}

/** HF LlamaRMSNorm: x / sqrt(mean(x²) + ε) · weight, over the last axis. */
function rmsNorm(g: GraphBuilder, config: LlamaConfig, prefix: string, x: string, out?: string): string {
  const weight = g.param(`${prefix}.weight`, [config.hidden_size], { kind: "ones" });
  const meanSquare = g.op("reduceMean", prefix, [g.op("mul", prefix, [x, x], {})], { axes: [-1], keepDims: true });
  const rms = g.op("sqrt", prefix, [g.op("add", prefix, [meanSquare, g.scalar(prefix, config.rms_norm_eps)], {})], {});
  return g.op("mul", prefix, [g.op("div", prefix, [x, rms], {}), weight], {}, out);
}

/** nn.Linear: x·Wᵀ (+ b) with W [out, in], HF-named `${prefix}.weight|bias`. */
function linear(g: GraphBuilder, prefix: string, x: string, inDim: number, outDim: number, bias: boolean, std: number): string {
  const w = g.param(`${prefix}.weight`, [outDim, inDim], { kind: "normal", std });
  const b = bias ? g.param(`${prefix}.bias`, [outDim], { kind: "zeros" }) : undefined;
  return g.linear(prefix, x, g.op("transpose", prefix, [w], { perm: [1, 0] }), b);
}

function llamaBlock(g: GraphBuilder, config: LlamaConfig, i: number, h: string, masks: AttentionMask, rope: Rotary, options: LlamaGraphOptions): string {
  const p = `model.layers.${i}`;
  const e = config.hidden_size;
  const std = config.initializer_range ?? 0.02;
  const x = rmsNorm(g, config, `${p}.input_layernorm`, h);
  h = g.op("add", `${p}.resid_attn`, [h, attention(g, config, i, x, masks, rope, options)], {});
  const x2 = rmsNorm(g, config, `${p}.post_attention_layernorm`, h);
  const inner = config.intermediate_size;
  const gate = linear(g, `${p}.mlp.gate_proj`, x2, e, inner, config.mlp_bias, std);
  const silu = g.op("mul", `${p}.mlp.act`, [gate, g.op("sigmoid", `${p}.mlp.act`, [gate], {})], {});
  const up = linear(g, `${p}.mlp.up_proj`, x2, e, inner, config.mlp_bias, std);
  const down = linear(g, `${p}.mlp.down_proj`, g.op("mul", `${p}.mlp`, [silu, up], {}), inner, e, config.mlp_bias, std);
  return g.op("add", `${p}.resid_mlp`, [h, down], {});
}

/** Grouped-query causal self-attention with RoPE; returns o_proj's output [batch, seq, e]. */
function attention(g: GraphBuilder, config: LlamaConfig, i: number, x: string, masks: AttentionMask, rope: Rotary, options: LlamaGraphOptions): string {
  const p = `model.layers.${i}.self_attn`;
  const e = config.hidden_size;
  const heads = config.num_attention_heads;
  const kvHeads = config.num_key_value_heads;
  const d = llamaHeadDim(config);
  const std = config.initializer_range ?? 0.02;
  const qkvBias = config.model_type === "qwen2" || config.attention_bias;
  const project = (name: string, n: number) => splitHeads(g, p, linear(g, `${p}.${name}`, x, e, n * d, qkvBias, std), n, d);
  const q = applyRotary(g, p, project("q_proj", heads), rope, d);
  const k0 = applyRotary(g, p, project("k_proj", kvHeads), rope, d);
  const v0 = project("v_proj", kvHeads);
  const [k, v] = options.kvCache ? withPast(g, p, i, k0, v0, kvHeads, d) : [k0, v0];
  const repeat = (t: string) => repeatKv(g, p, t, kvHeads, heads / kvHeads, d);
  const merged = causalAttention(g, p, q, repeat(k), repeat(v), masks, heads, d); // [batch, seq, heads·d]
  return linear(g, `${p}.o_proj`, merged, heads * d, e, config.model_type === "llama" && config.attention_bias, std);
}

/** HF repeat_kv: [batch, kvHeads, total, d] → [batch, kvHeads·times, total, d], each KV head `times` times in a row. */
function repeatKv(g: GraphBuilder, p: string, t: string, kvHeads: number, times: number, d: number): string {
  if (times === 1) return t;
  const grouped = g.op("reshape", p, [t], { shape: [0, kvHeads, 1, -1, d] });
  const copies = g.op("concat", p, Array<string>(times).fill(grouped), { axis: 2 }); // [batch, kvHeads, times, total, d]
  return g.op("reshape", p, [copies], { shape: [0, kvHeads * times, -1, d] });
}

/** cos and sin of every position's rotary angles, [batch, 1, seq, headDim] (both halves equal, HF's layout). */
interface Rotary {
  cos: string;
  sin: string;
}

/**
 * Rotary angles p·inv_freq for the position_ids. The IR has no sin/cos, and a table of
 * max_position_embeddings rows would put megabytes into every export, so p = hi·B + lo is split
 * and two small constant tables (cos/sin of hi·B·f and of lo·f) are combined by the angle-sum
 * formulas. Positions below B read the lo table alone, computed as HF does (fp32 angle, fp32 cos).
 */
function rotaryTables(g: GraphBuilder, config: LlamaConfig, pos: string): Rotary {
  const invFreq = rotaryInvFreq(config);
  const half = invFreq.length;
  const block = rotaryBlock(config.max_position_embeddings);
  const hiRows = Math.ceil(config.max_position_embeddings / block);
  const table = (name: string, rows: number, angle: (r: number, f: number) => number, fn: (a: number) => number) => {
    const value: number[] = [];
    for (let r = 0; r < rows; r++) for (const f of invFreq) value.push(Math.fround(fn(angle(r, f))));
    return g.op("constant", name, [], { value, shape: [rows, half], dtype: "float32" });
  };
  const loAngle = (r: number, f: number) => Math.fround(Math.fround(r) * f);
  const hiAngle = (r: number, f: number) => r * block * f;
  const posF = g.op("cast", "rope", [pos], { to: "float32" });
  const hi = g.op("cast", "rope", [g.op("mul", "rope", [posF, g.scalar("rope", 1 / block)], {})], { to: "int64" }); // floor: positions ≥ 0, B a power of 2
  const hiF = g.op("cast", "rope", [hi], { to: "float32" });
  const lo = g.op("cast", "rope", [g.op("sub", "rope", [posF, g.op("mul", "rope", [hiF, g.scalar("rope", block)], {})], {})], { to: "int64" });
  const look = (t: string, idx: string) => g.op("gather", "rope", [t, idx], { axis: 0 }); // [batch, seq, half]
  const cosLo = look(table("rope.cos_lo", block, loAngle, Math.cos), lo);
  const sinLo = look(table("rope.sin_lo", block, loAngle, Math.sin), lo);
  const cosHi = look(table("rope.cos_hi", hiRows, hiAngle, Math.cos), hi);
  const sinHi = look(table("rope.sin_hi", hiRows, hiAngle, Math.sin), hi);
  const mul = (a: string, b: string) => g.op("mul", "rope", [a, b], {});
  const cos = g.op("sub", "rope", [mul(cosLo, cosHi), mul(sinLo, sinHi)], {});
  const sin = g.op("add", "rope", [mul(sinLo, cosHi), mul(cosLo, sinHi)], {});
  const full = (t: string) => g.op("reshape", "rope", [g.op("concat", "rope", [t, t], { axis: -1 })], { shape: [0, 1, -1, 2 * half] });
  return { cos: full(cos), sin: full(sin) };
}

/** Rows of the low table: a power of 2 (so hi = floor(p / B) is exact in fp32), ≥ 256 and ≈ √context. */
export function rotaryBlock(maxPositions: number): number {
  return Math.max(256, 2 ** Math.ceil(Math.log2(Math.sqrt(maxPositions))));
}

/** HF's inv_freq in fp32: 1 / θ^(2j/d), then rope_scaling's adjustment. */
export function rotaryInvFreq(config: LlamaConfig): number[] {
  const d = llamaHeadDim(config);
  const base = Array.from({ length: d / 2 }, (_, j) => Math.fround(1 / Math.fround(config.rope_theta ** Math.fround((2 * j) / d))));
  const scaling = config.rope_scaling;
  if (!scaling) return base;
  if (scaling.rope_type === "linear") return base.map((f) => Math.fround(f / scaling.factor));
  // transformers' _compute_llama3_parameters: long wavelengths slowed by `factor`, short ones
  // kept, the band between interpolated smoothly.
  const { factor, low_freq_factor: low, high_freq_factor: high, original_max_position_embeddings: old } = scaling;
  return base.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < old / high) return f;
    if (wavelen > old / low) return Math.fround(f / factor);
    const smooth = (old / wavelen - low) / (high - low);
    return Math.fround((1 - smooth) * (f / factor) + smooth * f);
  });
}

/** HF apply_rotary_pos_emb: x·cos + rotate_half(x)·sin, rotate_half(x) = [-x₂, x₁] on the halves. */
function applyRotary(g: GraphBuilder, p: string, x: string, rope: Rotary, d: number): string {
  const [x1, x2] = g.split(p, x, -1, [d / 2, d / 2]);
  const rotated = g.op("concat", p, [g.op("neg", p, [x2], {}), x1], { axis: -1 });
  return g.op("add", p, [g.op("mul", p, [x, rope.cos], {}), g.op("mul", p, [rotated, rope.sin], {})], {});
}
