// A deliberately naive plain-JS Llama / Qwen2 forward (scalar loops, no tensors, float64) used
// only by tests as the reference the graph execution must match. Rotary angles are computed
// directly (cos(p·θ^(-2j/d))), not from the graph's tables. Tiny configs only.
import { attentionRef, type PlainParams } from "./gpt2-reference";
import type { LlamaConfig } from "./llama";

type Vec = number[];

export function rmsNormRef(x: Vec, w: ArrayLike<number>, eps: number): Vec {
  const meanSquare = x.reduce((a, v) => a + v * v, 0) / x.length;
  return x.map((v, i) => (v / Math.sqrt(meanSquare + eps)) * w[i]);
}

export const siluRef = (x: number): number => x / (1 + Math.exp(-x));

/** nn.Linear: y = W·x (+ b) with W [out, in] row-major. */
function linearRef(x: Vec, w: ArrayLike<number>, outDim: number, b?: ArrayLike<number>): Vec {
  const inDim = x.length;
  return Array.from({ length: outDim }, (_, o) => {
    let s = b ? b[o] : 0;
    for (let i = 0; i < inDim; i++) s += w[o * inDim + i] * x[i];
    return s;
  });
}

/** HF rotate_half RoPE on one head's vector at absolute position `pos`. */
export function ropeRef(x: Vec, pos: number, theta: number): Vec {
  const half = x.length / 2;
  return x.map((v, i) => {
    const j = i % half;
    const angle = pos * theta ** ((-2 * j) / x.length);
    const rotated = i < half ? -x[i + half] : x[i - half];
    return v * Math.cos(angle) + rotated * Math.sin(angle);
  });
}

/** Logits [seq][vocab] for one unpadded sequence at `positions` (default 0..seq-1). */
export function llamaForwardRef(config: LlamaConfig, p: PlainParams, ids: number[], positions = ids.map((_, t) => t)): Vec[] {
  const e = config.hidden_size;
  const heads = config.num_attention_heads;
  const kvHeads = config.num_key_value_heads;
  const d = config.head_dim ?? e / heads;
  const qkvBias = config.model_type === "qwen2" || config.attention_bias;
  const oBias = config.model_type === "llama" && config.attention_bias;
  const weight = (name: string) => p[name].data;
  const lin = (x: Vec, name: string, outDim: number, bias: boolean) => linearRef(x, weight(`${name}.weight`), outDim, bias ? weight(`${name}.bias`) : undefined);
  const norm = (x: Vec, name: string) => rmsNormRef(x, weight(`${name}.weight`), config.rms_norm_eps);
  const embed = weight("model.embed_tokens.weight");
  let h = ids.map((id) => Array.from(embed.slice(id * e, (id + 1) * e)));
  // Rotates each head of a [heads·d] row.
  const rotate = (row: Vec, n: number, pos: number) => Array.from({ length: n }, (_, k) => ropeRef(row.slice(k * d, (k + 1) * d), pos, config.rope_theta)).flat();
  // Copies KV head ⌊k / group⌋ into query head k's place, as HF's repeat_kv.
  const repeatHeads = (row: Vec) => Array.from({ length: heads }, (_, k) => row.slice(Math.floor(k / (heads / kvHeads)) * d, (Math.floor(k / (heads / kvHeads)) + 1) * d)).flat();
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const pre = `model.layers.${l}`;
    const x = h.map((r) => norm(r, `${pre}.input_layernorm`));
    const q = x.map((r, t) => rotate(lin(r, `${pre}.self_attn.q_proj`, heads * d, qkvBias), heads, positions[t]));
    const k = x.map((r, t) => repeatHeads(rotate(lin(r, `${pre}.self_attn.k_proj`, kvHeads * d, qkvBias), kvHeads, positions[t])));
    const v = x.map((r) => repeatHeads(lin(r, `${pre}.self_attn.v_proj`, kvHeads * d, qkvBias)));
    const att = attentionRef(q, k, v, heads, ids.map(() => true));
    h = h.map((r, t) => lin(att[t], `${pre}.self_attn.o_proj`, e, oBias).map((a, c) => r[c] + a));
    h = h.map((r) => {
      const x2 = norm(r, `${pre}.post_attention_layernorm`);
      const gate = lin(x2, `${pre}.mlp.gate_proj`, config.intermediate_size, config.mlp_bias);
      const up = lin(x2, `${pre}.mlp.up_proj`, config.intermediate_size, config.mlp_bias);
      const down = lin(gate.map((g, i) => siluRef(g) * up[i]), `${pre}.mlp.down_proj`, e, config.mlp_bias);
      return r.map((v0, c) => v0 + down[c]);
    });
  }
  const head = config.tie_word_embeddings ? "model.embed_tokens" : "lm_head";
  return h.map((r) => lin(norm(r, "model.norm"), head, config.vocab_size, false));
}
