// ONNX Runtime throughput on this machine: generation tokens/s with and without the KV cache,
// and batched forward tokens/s (with achieved GFLOP/s), at the built-in model's shapes, at GPT-2
// small's and at SmolLM2-135M's (a Llama: grouped-query attention, 30 layers; random weights:
// speed does not depend on the values), on 1 and 2 threads.
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { parseModelConfig } from "../trainer/checkpoint/config";
import type { Gpt2Config } from "../trainer/models/gpt2";
import { llamaHeadDim, type LlamaConfig } from "../trainer/models/llama";
import { buildModelGraph, contextLength, type ModelConfig } from "../trainer/models/model-config";
import { exportModel } from "../trainer/onnx/export";
import { causalLmShape, OnnxCausalLm } from "../trainer/onnx/forward";
import { generateFromIds } from "../trainer/onnx/generate";
import { sequenceLogprobs } from "../trainer/onnx/logprobs";
import { randomWeights } from "../trainer/onnx/testing";

type Row = Record<string, string | number>;

const GPT2_SMALL: Gpt2Config = {
  model_type: "gpt2", n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257,
  layer_norm_epsilon: 1e-5, activation_function: "gelu_new",
};

// SmolLM2-135M's config.json (tied embeddings, 9 heads over 3 KV heads).
const SMOLLM2_135M: LlamaConfig = {
  model_type: "llama", hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3,
  intermediate_size: 1536, vocab_size: 49152, max_position_embeddings: 8192, rms_norm_eps: 1e-5, rope_theta: 100000,
  rope_scaling: null, tie_word_embeddings: true, attention_bias: false, mlp_bias: false, hidden_act: "silu",
};

// Used only until models/builtin/ is committed: `preflab pretrain`'s default shape.
const BUILTIN_STANDIN: Gpt2Config = { ...GPT2_SMALL, n_layer: 4, n_head: 4, n_embd: 128, n_positions: 64, vocab_size: 2048 };

/** Workload sizes: long enough to average out timer noise, short enough for a 2-core CI box. */
const PROMPT_TOKENS = 16;
const LONG_PROMPT_TOKENS = 256;
const NEW_TOKENS = 32;
const GEN_BATCH = 4;
// Timing measures the model, not detokenization; eos -1 is never sampled, so every row runs to the budget.
const NO_TEXT = { decode: () => "", eosId: -1 };
const FORWARD_BATCH = 4;
const FORWARD_SEQ = 128;

function builtinShape(): { name: string; config: ModelConfig } {
  const path = "models/builtin/config.json";
  if (!existsSync(path)) return { name: "builtin (stand-in shape)", config: BUILTIN_STANDIN };
  return { name: "builtin", config: parseModelConfig(JSON.parse(readFileSync(path, "utf8")), path) };
}

/** Forward FLOPs per token: 2 per weight of the blocks and the LM head, plus attention's QK and PV products. */
function flopsPerToken(c: ModelConfig, context: number): number {
  if (c.model_type === "gpt2") {
    const e = c.n_embd;
    const inner = c.n_inner ?? 4 * e;
    return 2 * c.n_layer * (4 * e * e + 2 * e * inner) + 2 * e * c.vocab_size + 4 * c.n_layer * context * e;
  }
  const { hidden_size: e, num_attention_heads: h, num_key_value_heads: kv, intermediate_size: inner, num_hidden_layers: layers } = c;
  const d = llamaHeadDim(c);
  return 2 * layers * (e * (2 * h + 2 * kv) * d + 3 * e * inner) + 2 * e * c.vocab_size + 4 * layers * context * h * d;
}

/** Best of a few timed runs after a warm-up (first runs allocate arenas): other processes on a
 *  shared box only ever add time, so the minimum is the least noisy estimate. */
async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  let best = Infinity;
  const deadline = performance.now() + 1500;
  for (let rep = 0; rep < 5 && (rep === 0 || performance.now() < deadline); rep++) {
    const start = performance.now();
    await fn();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

async function measure(lm: OnnxCausalLm, config: ModelConfig): Promise<Array<[string, number, string]>> {
  const prompt = Array.from({ length: PROMPT_TOKENS }, (_, i) => (i * 7919) % config.vocab_size);
  const gen = (useCache: boolean, batch = 1) =>
    generateFromIds(lm, new Array(batch).fill(prompt), NO_TEXT, { maxNewTokens: NEW_TOKENS, temperature: 0, useCache });
  const cached = NEW_TOKENS / (await timeIt(() => gen(true)));
  const uncached = NEW_TOKENS / (await timeIt(() => gen(false)));
  const batched = (GEN_BATCH * NEW_TOKENS) / (await timeIt(() => gen(true, GEN_BATCH)));
  const longPrompt = Array.from({ length: Math.min(LONG_PROMPT_TOKENS, contextLength(config) - NEW_TOKENS) }, (_, i) => (i * 7919) % config.vocab_size);
  const long = NEW_TOKENS / (await timeIt(() => generateFromIds(lm, [longPrompt], NO_TEXT, { maxNewTokens: NEW_TOKENS, temperature: 0 })));
  const seq = Math.min(FORWARD_SEQ, contextLength(config));
  const n = FORWARD_BATCH * seq;
  const ids = Array.from({ length: n }, (_, i) => (i * 31) % config.vocab_size);
  const positions = ids.map((_, i) => i % seq);
  const seconds = await timeIt(() => lm.forward({ batch: FORWARD_BATCH, seq, ids, positionIds: positions, attentionMask: ids.map(() => 1) }));
  const gflops = (n * flopsPerToken(config, seq / 2)) / seconds / 1e9;
  const rows = Array.from({ length: FORWARD_BATCH }, (_, b) => ids.slice(b * seq, (b + 1) * seq));
  const logprobSeconds = await timeIt(() => sequenceLogprobs(lm, rows, FORWARD_BATCH));
  return [
    ["generate tok/s (KV cache)", cached, `batch 1, prompt ${PROMPT_TOKENS}, ${NEW_TOKENS} new, greedy`],
    ["generate tok/s (no cache)", uncached, "same, prefix recomputed every step"],
    ["generate tok/s (KV cache, batched)", batched, `batch ${GEN_BATCH} (rollouts), all rows' tokens counted`],
    ["generate tok/s (KV cache, long prompt)", long, `prompt ${longPrompt.length}, ${NEW_TOKENS} new, prefill included`],
    ["forward tok/s", n / seconds, `batch ${FORWARD_BATCH} x seq ${seq}`],
    ["forward GFLOP/s", gflops, "achieved, model FLOPs"],
    ["log-probs tok/s", n / logprobSeconds, "same batch, per-token log-probs in JS (DPO reference)"],
  ];
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const cores = availableParallelism();
  for (const { name, config } of [builtinShape(), { name: "gpt2-small (random)", config: GPT2_SMALL }, { name: "smollm2-135m llama (random)", config: SMOLLM2_135M }]) {
    const graph = buildModelGraph(config, { kvCache: true });
    const weights = randomWeights(graph, 1, 0.02);
    const bytes = exportModel(config, (n) => weights[n]);
    for (const threads of [1, 2]) {
      const lm = await OnnxCausalLm.create(bytes, causalLmShape(config), { intraOpNumThreads: threads });
      for (const [metric, value, note] of await measure(lm, config)) {
        rows.push({ bench: "onnx", model: name, threads, metric, value: Number(value.toFixed(1)), note, cores });
      }
      await lm.release();
    }
  }
  return rows;
}
