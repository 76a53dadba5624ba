// Batched sampling on ONNX Runtime with a KV cache: prompts are left-padded to one length, the
// first pass fills the cache, then each step feeds one token per row. `useCache: false` re-runs
// the whole prefix every step instead (the reference the cache is tested against, and a bench row).
import { makeRng } from "../rng";
import type { KvCache, OnnxCausalLm } from "./forward";
import { tokenLogprob } from "./logprobs";
import { sampleToken } from "./sampling";

export type FinishReason = "length" | "stop" | "eos";

export interface GenerateOptions {
  /** Upper bound on generated tokens per row (also stops at the model's context length). */
  maxNewTokens: number;
  /** 0 = greedy; default 1 (sample from the model's distribution). */
  temperature?: number;
  topK?: number;
  topP?: number;
  /** Seeds the sampling stream: same seed, same prompts, same options → same tokens. */
  seed?: number;
  /** Finish a row when its text contains one of these; the text is cut before it. Needs `decode`. */
  stop?: string[];
  /** Token ids → text, for stop strings and the returned `text`. */
  decode?: (ids: number[]) => string;
  /** Finish a row when it samples this token (kept in tokenIds, left out of text). */
  eosTokenId?: number;
  /** Reuse keys/values of earlier positions (default); false recomputes them every step. */
  useCache?: boolean;
}

export interface Generation {
  tokenIds: number[];
  /** Log-probability of each generated token under the model itself (temperature 1, no filtering). */
  logprobs: number[];
  text?: string;
  finishReason: FinishReason;
}

interface Row {
  tokens: number[];
  logprobs: number[];
  text?: string;
  done?: FinishReason;
}

/** Left-padded token grid: mask 0 on padding, positions count real tokens only. */
interface Grid {
  ids: number[][];
  mask: number[][];
  positions: number[][];
}

function leftPad(prompts: number[][]): Grid {
  const width = Math.max(...prompts.map((p) => p.length));
  const grid: Grid = { ids: [], mask: [], positions: [] };
  for (const prompt of prompts) {
    const pad = width - prompt.length;
    grid.ids.push([...new Array(pad).fill(0), ...prompt]);
    grid.mask.push([...new Array(pad).fill(0), ...prompt.map(() => 1)]);
    grid.positions.push([...new Array(pad).fill(0), ...prompt.map((_, t) => t)]);
  }
  return grid;
}

function appendColumn(grid: Grid, next: number[]): void {
  next.forEach((id, b) => {
    grid.ids[b].push(id);
    grid.mask[b].push(1);
    grid.positions[b].push(grid.positions[b][grid.positions[b].length - 1] + 1);
  });
}

/** Columns [from, end) of the grid as one forward input's flat arrays. */
function columns(grid: Grid, from: number) {
  return {
    seq: grid.ids[0].length - from,
    ids: grid.ids.flatMap((r) => r.slice(from)),
    positionIds: grid.positions.flatMap((r) => r.slice(from)),
    attentionMask: grid.mask.flat(),
  };
}

/** Logits of the next token for every row: [batch, vocab], plus the updated cache. */
async function nextLogits(lm: OnnxCausalLm, grid: Grid, cache: KvCache | undefined, useCache: boolean) {
  const batch = grid.ids.length;
  const from = useCache && cache ? cache.length : 0;
  const input = columns(grid, from);
  const out = await lm.forward({ batch, ...input, past: useCache ? cache : undefined });
  const vocab = lm.shape.vocab;
  const last = new Float32Array(batch * vocab);
  for (let b = 0; b < batch; b++) {
    const offset = (b * input.seq + input.seq - 1) * vocab;
    last.set(out.logits.subarray(offset, offset + vocab), b * vocab);
  }
  return { logits: last, cache: useCache ? out.present : undefined };
}

function finishIfDone(row: Row, token: number, options: GenerateOptions): void {
  if (token === options.eosTokenId) row.done = "eos";
  if (!options.decode) return;
  const text = options.decode(row.done === "eos" ? row.tokens.slice(0, -1) : row.tokens);
  const cuts = (options.stop ?? []).map((s) => text.indexOf(s)).filter((i) => i >= 0);
  row.text = cuts.length > 0 ? text.slice(0, Math.min(...cuts)) : text;
  if (cuts.length > 0) row.done = "stop";
}

/** Generates continuations of each prompt (token ids) in one batch. */
export async function generateOnnx(lm: OnnxCausalLm, prompts: number[][], options: GenerateOptions): Promise<Generation[]> {
  if (prompts.length === 0) return [];
  if (prompts.some((p) => p.length === 0)) throw new Error("every prompt needs at least one token (add BOS)");
  if (options.stop?.length && !options.decode) throw new Error("stop strings need a decode function");
  const grid = leftPad(prompts);
  const width = grid.ids[0].length;
  if (width > lm.shape.contextLength) throw new Error(`prompt of ${width} tokens exceeds the model's context of ${lm.shape.contextLength}`);
  const rows: Row[] = prompts.map(() => ({ tokens: [], logprobs: [] }));
  const params = { temperature: options.temperature ?? 1, topK: options.topK, topP: options.topP };
  const rng = makeRng(options.seed ?? 0);
  const vocab = lm.shape.vocab;
  let cache: KvCache | undefined;
  const steps = Math.min(options.maxNewTokens, lm.shape.contextLength - width);
  for (let step = 0; step < steps && rows.some((r) => !r.done); step++) {
    const out = await nextLogits(lm, grid, cache, options.useCache ?? true);
    cache = out.cache;
    const next = rows.map((row, b) => {
      if (row.done) return 0; // finished rows keep stepping (fixed batch shape); their output is ignored
      const logits = out.logits.subarray(b * vocab, (b + 1) * vocab);
      const token = sampleToken(logits, params, rng);
      row.tokens.push(token);
      row.logprobs.push(tokenLogprob(logits, 0, vocab, token));
      finishIfDone(row, token, options);
      return token;
    });
    appendColumn(grid, next);
  }
  return rows.map((r) => ({ tokenIds: r.tokens, logprobs: r.logprobs, text: r.text, finishReason: r.done ?? "length" }));
}
