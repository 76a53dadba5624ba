// Batched sampling on ONNX Runtime with a KV cache, a drop-in for trainer/generate.ts (same
// options, same results): prompts are left-padded to one length, the first pass fills the cache
// (a SlotCache kept in JS), then each step feeds one token per row. `useCache: false` re-runs the
// whole prefix every step (the reference the cache is tested against, and a bench row).
import { InputError } from "../errors";
import { DEFAULT_GENERATE, type GenerateOptions, type Generation } from "../generate";
import { makeRng } from "../rng";
import { sampleToken } from "../sampling";
import { encodePrompt } from "../tokenizer/sequence-start";
import type { Tokenizer } from "../tokenizer/tokenizer";
import type { OnnxLanguageModel } from "./checkpoint";
import type { OnnxCausalLm } from "./forward";
import { tokenLogprob } from "./logprobs";
import type { OrtTensor } from "./session";
import { SlotCache } from "./slot-cache";

/** What generation needs from a tokenizer: ids → text (stop strings, `text`) and the end token. */
export type TokenCodec = Pick<Tokenizer, "decode" | "eosId">;

/** Left-padded token grid: mask 0 on padding, positions count real tokens only. */
interface Grid {
  ids: number[][];
  mask: number[][];
  positions: number[][];
}

// Padding and finished rows' filler tokens are masked or ignored, so any valid id does.
const FILLER = 0;

function leftPad(prompts: number[][]): Grid {
  const width = Math.max(...prompts.map((p) => p.length));
  const grid: Grid = { ids: [], mask: [], positions: [] };
  for (const prompt of prompts) {
    const pad = new Array<number>(width - prompt.length).fill(0);
    grid.ids.push([...pad.map(() => FILLER), ...prompt]);
    grid.mask.push([...pad, ...prompt.map(() => 1)]);
    grid.positions.push([...pad, ...prompt.map((_, t) => t)]);
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

/** Logits of the next token for every row; fills `cache` (when given) with the new positions. */
async function nextLogits(lm: OnnxCausalLm, grid: Grid, cache: SlotCache | undefined): Promise<Float32Array[]> {
  const batch = grid.ids.length;
  const from = cache?.filled ?? 0; // columns the cache already holds
  const seq = grid.ids[0].length - from;
  const out = await lm.forward({
    batch, seq,
    ids: grid.ids.flatMap((r) => r.slice(from)),
    positionIds: grid.positions.flatMap((r) => r.slice(from)),
    attentionMask: cache && from > 0 ? cache.stepMask(grid.mask, seq) : grid.mask.flat(),
    past: cache && from > 0 ? cache.asPast() : undefined,
    outputs: cache ? "new" : "logits",
  });
  if (cache) cache.append(out.newKv as Record<string, OrtTensor>, seq);
  const vocab = lm.shape.vocab;
  return Array.from({ length: batch }, (_, b) => out.logits.subarray((b * seq + seq - 1) * vocab, (b * seq + seq) * vocab));
}

/** Records a sampled token (eos ends the row and is not recorded); true when the row is finished. */
function accept(g: Generation, token: number, logprob: number, codec: TokenCodec, stop: string[]): boolean {
  if (token === codec.eosId) {
    g.finishReason = "eos";
    return true;
  }
  g.tokenIds.push(token);
  g.logprobs.push(logprob);
  g.text = codec.decode(g.tokenIds);
  const hits = stop.map((s) => g.text.indexOf(s)).filter((i) => i >= 0);
  if (hits.length === 0) return false;
  g.text = g.text.slice(0, Math.min(...hits));
  g.finishReason = "stop";
  return true;
}

/** Watching a generation as it goes (a stream), and stopping it when nobody waits for it any more. */
export interface GenerationObserver {
  /** After each step, with the rows' generations so far (finished rows included). */
  onStep?: (generations: readonly Generation[]) => void;
  /** Checked before each step: an aborted signal ends the generation with its reason. */
  signal?: AbortSignal;
}

/** Generates one continuation per prompt given as token ids (each at least one token). */
export async function generateFromIds(lm: OnnxCausalLm, prompts: number[][], codec: TokenCodec, options: Partial<GenerateOptions> = {}, observer: GenerationObserver = {}): Promise<Generation[]> {
  const o = { ...DEFAULT_GENERATE, ...options };
  if (prompts.length === 0) return [];
  if (prompts.some((p) => p.length === 0)) throw new InputError("every prompt needs at least one token (GPT-2 uses eos as BOS)");
  const grid = leftPad(prompts);
  const width = grid.ids[0].length;
  if (width > lm.shape.contextLength) throw new InputError(`prompt is ${width} tokens, longer than the model's context of ${lm.shape.contextLength}`);
  const budget = Math.min(o.maxNewTokens, lm.shape.contextLength - width);
  const rand = makeRng(o.seed);
  const out: Generation[] = prompts.map(() => ({ text: "", tokenIds: [], logprobs: [], finishReason: "length" }));
  const done = prompts.map(() => false);
  // Columns fed through the model: the prompt, then every sampled token but the last.
  const cache = o.useCache ? new SlotCache(lm.shape, prompts.length, width + budget) : undefined;
  for (let s = 0; s < budget && done.includes(false); s++) {
    observer.signal?.throwIfAborted();
    const rows = await nextLogits(lm, grid, cache);
    const tokens = rows.map((row, i) => {
      if (done[i]) return FILLER; // finished rows keep stepping (fixed batch shape)
      const token = sampleToken(row, o, rand);
      done[i] = accept(out[i], token, tokenLogprob(row, token), codec, o.stop);
      return token;
    });
    appendColumn(grid, tokens);
    observer.onStep?.(out);
  }
  return out;
}

/** Generates one continuation per text prompt (repeat a prompt for several samples). */
export async function generateOnnx(model: OnnxLanguageModel, prompts: string[], options: Partial<GenerateOptions> = {}): Promise<Generation[]> {
  const { tokenizer, lm } = model;
  const ids = prompts.map((p) => encodePrompt(tokenizer, p));
  return generateFromIds(lm, ids, tokenizer, options);
}
