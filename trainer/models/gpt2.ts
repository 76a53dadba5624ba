// GPT-2, written once as a primitive-op graph (see trainer/graph/ir.ts). Parameter names and
// layouts are Hugging Face's, so `model.safetensors` from transformers loads unchanged.
// The Llama family (llama.ts) shares the attention core (attention.ts).
import { GraphBuilder } from "../graph/builder";
import type { Graph } from "../graph/ir";
import { attentionMask, causalAttention, presentOutputs, splitHeads, withPast, type AttentionMask } from "./attention";

/** The fields of an HF GPT-2 `config.json` that shape the graph. */
export interface Gpt2Config {
  model_type: "gpt2";
  /** Number of transformer blocks. */
  n_layer: number;
  /** Attention heads per block; n_embd must divide evenly. */
  n_head: number;
  /** Residual stream width. */
  n_embd: number;
  /** Context length: rows of the position embedding. */
  n_positions: number;
  /** Tokenizer vocabulary size: rows of the (tied) token embedding. */
  vocab_size: number;
  /** Epsilon inside every layer norm. */
  layer_norm_epsilon: number;
  /** "gelu_new" (tanh approximation, GPT-2's) or "gelu" (exact, erf). */
  activation_function: "gelu_new" | "gelu";
  /** MLP hidden width; null means 4·n_embd as in GPT-2. */
  n_inner?: number | null;
  /** Std of the normal init for weights (only used when training from scratch). */
  initializer_range?: number;
}

/** Which variant of the graph to build. */
export interface Gpt2GraphOptions {
  /** Add past_key_values.{i}.key|value inputs (concatenated before attention). */
  kvCache?: boolean;
  /** Also output `last_hidden_state` (after ln_f), for reward/value heads. */
  hiddenState?: boolean;
}

/** Builds the GPT-2 graph: inputs input_ids/attention_mask/position_ids, output logits (+ presents). */
export function buildGpt2Graph(config: Gpt2Config, options: Gpt2GraphOptions = {}): Graph {
  const g = new GraphBuilder("gpt2");
  const { n_embd: e, vocab_size: vocab, n_positions: ctx } = config;
  const std = config.initializer_range ?? 0.02;
  const ids = g.input("input_ids", "int64", ["batch", "seq"]);
  const mask = g.input("attention_mask", "int64", ["batch", "total"]);
  const pos = g.input("position_ids", "int64", ["batch", "seq"]);
  const wte = g.param("transformer.wte.weight", [vocab, e], { kind: "normal", std });
  const wpe = g.param("transformer.wpe.weight", [ctx, e], { kind: "normal", std: 0.01 });
  let h = g.op("add", "embed", [g.op("gather", "wte", [wte, ids], { axis: 0 }), g.op("gather", "wpe", [wpe, pos], { axis: 0 })], {}); // [batch, seq, e]
  const masks = attentionMask(g, mask);
  for (let i = 0; i < config.n_layer; i++) h = gpt2Block(g, config, i, h, masks, options);
  const hf = layerNorm(g, config, "transformer.ln_f", h, "last_hidden_state");
  const wteT = g.op("transpose", "lm_head", [wte], { perm: [1, 0] }); // tied lm_head: [e, vocab]
  g.op("matmul", "lm_head", [hf, wteT], {}, "logits"); // [batch, seq, vocab]
  g.output("logits", "float32", ["batch", "seq", vocab]);
  if (options.hiddenState) g.output("last_hidden_state", "float32", ["batch", "seq", e]);
  if (options.kvCache) presentOutputs(g, config.n_layer, config.n_head, e / config.n_head);
  return g.build();
}

function layerNorm(g: GraphBuilder, config: Gpt2Config, prefix: string, x: string, out?: string): string {
  const e = config.n_embd;
  const scale = g.param(`${prefix}.weight`, [e], { kind: "ones" });
  const bias = g.param(`${prefix}.bias`, [e], { kind: "zeros" });
  return g.op("layerNorm", prefix, [x, scale, bias], { epsilon: config.layer_norm_epsilon }, out);
}

/** Conv1D [in, out] weight + bias, HF-named `${prefix}.weight|bias`. */
function conv1d(g: GraphBuilder, prefix: string, x: string, inDim: number, outDim: number, std: number): string {
  const w = g.param(`${prefix}.weight`, [inDim, outDim], { kind: "normal", std });
  const b = g.param(`${prefix}.bias`, [outDim], { kind: "zeros" });
  return g.linear(prefix, x, w, b);
}

function gpt2Block(g: GraphBuilder, config: Gpt2Config, i: number, h: string, masks: AttentionMask, options: Gpt2GraphOptions): string {
  const p = `transformer.h.${i}`;
  const e = config.n_embd;
  const std = config.initializer_range ?? 0.02;
  // GPT-2 scales residual projections' init by 1/sqrt(2·n_layer) so the stream's variance stays put.
  const projStd = std / Math.sqrt(2 * config.n_layer);
  const x = layerNorm(g, config, `${p}.ln_1`, h);
  const attn = attention(g, config, i, x, masks, options);
  h = g.op("add", `${p}.resid_attn`, [h, conv1d(g, `${p}.attn.c_proj`, attn, e, e, projStd)], {});
  const inner = config.n_inner ?? 4 * e;
  const x2 = layerNorm(g, config, `${p}.ln_2`, h);
  const approximate = config.activation_function === "gelu" ? "none" : "tanh";
  const act = g.op("gelu", `${p}.mlp.act`, [conv1d(g, `${p}.mlp.c_fc`, x2, e, inner, std)], { approximate });
  return g.op("add", `${p}.resid_mlp`, [h, conv1d(g, `${p}.mlp.c_proj`, act, inner, e, projStd)], {});
}

/** Multi-head causal self-attention; returns the merged heads [batch, seq, e] before c_proj. */
function attention(g: GraphBuilder, config: Gpt2Config, i: number, x: string, masks: AttentionMask, options: Gpt2GraphOptions): string {
  const p = `transformer.h.${i}.attn`;
  const e = config.n_embd;
  const heads = config.n_head;
  const headDim = e / heads;
  const qkv = conv1d(g, `${p}.c_attn`, x, e, 3 * e, config.initializer_range ?? 0.02); // [batch, seq, 3e]
  const [q, k0, v0] = g.split(p, qkv, -1, [e, e, e]).map((t) => splitHeads(g, p, t, heads, headDim));
  const [k, v] = options.kvCache ? withPast(g, p, i, k0, v0, heads, headDim) : [k0, v0];
  return causalAttention(g, p, q, k, v, masks, heads, headDim);
}
