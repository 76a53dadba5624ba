// The tokenizer every trainer module uses: a checkpoint's tokenizer.json run by
// @huggingface/tokenizers (the tokenizer library behind transformers.js), wrapped so decoding is
// exact (no "clean up tokenization spaces", specials kept), the end-of-text id is known, and so
// are the ids the checkpoint's own tokenizer puts before a sequence (Llama's BOS).
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";

export interface Tokenizer {
  /** Token ids of `text`, no special tokens added. */
  encode(text: string): number[];
  /** Exact inverse of encode (also for any concatenation of encodings). */
  decode(ids: number[]): string;
  /** The token strings (byte-level spelling) of ids. */
  tokens(ids: number[]): string[];
  /** Number of ids (largest id + 1, added tokens included). */
  vocabSize: number;
  /** <|endoftext|> (or the configured eos) id; pads and separates documents. */
  eosId: number;
  /**
   * Ids transformers' `tokenizer(text)` puts before the text ([<|begin_of_text|>] for Llama 3,
   * [<s>] for Llama 2 / TinyLlama; [] for GPT-2, SmolLM2, Qwen2.5). Start sequences with
   * sequence-start.ts, never by hand.
   */
  sequenceStart: number[];
  /** The beginning-of-sequence id, when the tokenizer starts sequences with one. */
  bosId?: number;
}

/** A token named in tokenizer_config.json: a string, or (Llama 2, TinyLlama) an AddedToken object. */
function configTokenName(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  const content = (value as { content?: unknown } | null | undefined)?.content;
  return typeof content === "string" ? content : undefined;
}

/** Where `run` first occurs in `ids` (-1: nowhere). */
function indexOfRun(ids: number[], run: number[]): number {
  for (let at = 0; at + run.length <= ids.length; at++) if (run.every((id, k) => ids[at + k] === id)) return at;
  return -1;
}

/**
 * The ids before the text when special tokens are added: the post_processor template's prefix
 * (found by encoding a probe both ways, so any template shape is read the way the library runs
 * it), else tokenizer_config's `add_bos_token` + `bos_token` (Llama 2 style configs whose
 * tokenizer.json has no template). Only the prefix: a template's suffix (eos) is left out, since
 * completions decide their own ends.
 */
function sequenceStartIds(hf: HfTokenizer, vocab: Map<string, number>, config: Record<string, unknown>): number[] {
  const probe = "a";
  const plain = hf.encode(probe, { add_special_tokens: false }).ids;
  const full = hf.encode(probe, { add_special_tokens: true }).ids;
  const at = indexOfRun(full, plain);
  if (at < 0) throw new Error(`its post_processor changes the text's own tokens (${JSON.stringify(plain)} → ${JSON.stringify(full)})`);
  if (at > 0) return full.slice(0, at);
  if (config.add_bos_token !== true) return [];
  const bosName = configTokenName(config.bos_token);
  const bosId = bosName === undefined ? undefined : vocab.get(bosName);
  if (bosId === undefined) throw new Error(`tokenizer_config.json sets add_bos_token but its bos_token ${JSON.stringify(bosName ?? null)} is not a token`);
  return [bosId];
}

/** Wraps parsed tokenizer.json (+ optional tokenizer_config.json) contents. */
export function tokenizerFromJson(json: object, config: Record<string, unknown> = {}): Tokenizer {
  const hf = new HfTokenizer(json, { ...config, clean_up_tokenization_spaces: false });
  const vocab = hf.get_vocab(true);
  const eosName = configTokenName(config.eos_token) ?? "<|endoftext|>";
  const eosId = vocab.get(eosName) ?? hf.token_to_id("<|endoftext|>");
  if (eosId === undefined) throw new Error(`tokenizer has no end-of-text token "${eosName}"`);
  let vocabSize = 0;
  for (const id of vocab.values()) vocabSize = Math.max(vocabSize, id + 1);
  const sequenceStart = sequenceStartIds(hf, vocab, config);
  return {
    encode: (text) => hf.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => (ids.length === 0 ? "" : hf.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false })),
    tokens: (ids) => ids.map((id) => hf.id_to_token(id) ?? `<${id}>`),
    vocabSize,
    eosId,
    sequenceStart,
    ...(sequenceStart.length > 0 ? { bosId: sequenceStart[0] } : {}),
  };
}
