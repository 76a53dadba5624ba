// A deliberately naive plain-JS GPT-2 forward (scalar loops, no tensors) used only by tests as
// the reference the graph execution must match. Slow by design; tiny configs only.
import type { Gpt2Config } from "./gpt2";

type Vec = number[];
export type PlainParams = Record<string, { data: Float32Array | number[]; shape: number[] }>;

export function layerNormRef(x: Vec, w: ArrayLike<number>, b: ArrayLike<number>, eps: number): Vec {
  const mean = x.reduce((a, v) => a + v, 0) / x.length;
  const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + eps)) * w[i] + b[i]);
}

export function geluTanhRef(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

/** y = x·W + b with W [in, out] row-major. */
function linearRef(x: Vec, w: ArrayLike<number>, b: ArrayLike<number>, outDim: number): Vec {
  const y = Array.from({ length: outDim }, (_, o) => b[o]);
  x.forEach((xi, i) => { for (let o = 0; o < outDim; o++) y[o] += xi * w[i * outDim + o]; });
  return y;
}

/**
 * Causal attention for one sequence by explicit loops: q, k, v are [seq][e] (heads interleaved
 * as GPT-2 lays them out); `keep[j]` masks padded keys.
 */
export function attentionRef(q: Vec[], k: Vec[], v: Vec[], heads: number, keep: boolean[]): Vec[] {
  const e = q[0].length;
  const d = e / heads;
  return q.map((qi, i) => {
    const out = new Array(e).fill(0);
    for (let h = 0; h < heads; h++) {
      const scores: number[] = [];
      for (let j = 0; j <= i; j++) {
        if (!keep[j]) continue;
        let s = 0;
        for (let c = 0; c < d; c++) s += qi[h * d + c] * k[j][h * d + c];
        scores.push(s / Math.sqrt(d));
      }
      const js = [...Array(i + 1).keys()].filter((j) => keep[j]);
      const max = Math.max(...scores);
      const z = scores.reduce((a, s) => a + Math.exp(s - max), 0);
      js.forEach((j, n) => { for (let c = 0; c < d; c++) out[h * d + c] += (Math.exp(scores[n] - max) / z) * v[j][h * d + c]; });
    }
    return out;
  });
}

/** Logits [seq][vocab] for one sequence with positions 0..seq-1 and no padding. */
export function gpt2ForwardRef(config: Gpt2Config, p: PlainParams, ids: number[]): Vec[] {
  const e = config.n_embd;
  const row = (name: string, r: number) => Array.from(p[name].data.slice(r * e, (r + 1) * e));
  let h = ids.map((id, t) => row("transformer.wte.weight", id).map((v, c) => v + row("transformer.wpe.weight", t)[c]));
  const eps = config.layer_norm_epsilon;
  const ln = (x: Vec, n: string) => layerNormRef(x, p[`${n}.weight`].data, p[`${n}.bias`].data, eps);
  const lin = (x: Vec, n: string) => linearRef(x, p[`${n}.weight`].data, p[`${n}.bias`].data, p[`${n}.bias`].shape[0]);
  for (let l = 0; l < config.n_layer; l++) {
    const pre = `transformer.h.${l}`;
    const qkv = h.map((x) => lin(ln(x, `${pre}.ln_1`), `${pre}.attn.c_attn`));
    const [q, k, v] = [0, 1, 2].map((s) => qkv.map((r) => r.slice(s * e, (s + 1) * e)));
    const att = attentionRef(q, k, v, config.n_head, ids.map(() => true));
    h = h.map((x, t) => lin(att[t], `${pre}.attn.c_proj`).map((a, c) => x[c] + a));
    h = h.map((x) => lin(lin(ln(x, `${pre}.ln_2`), `${pre}.mlp.c_fc`).map(geluTanhRef), `${pre}.mlp.c_proj`).map((m, c) => x[c] + m));
  }
  const wte = p["transformer.wte.weight"].data;
  return h.map((x) => {
    const hf = ln(x, "transformer.ln_f");
    return Array.from({ length: config.vocab_size }, (_, t) => hf.reduce((a, v, c) => a + v * wte[t * e + c], 0));
  });
}
