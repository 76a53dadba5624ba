// The tokenizer every trainer module uses: a checkpoint's tokenizer.json run by
// @huggingface/tokenizers (the tokenizer library behind transformers.js), wrapped so decoding is
// exact (no "clean up tokenization spaces", specials kept) and the end-of-text id is known.
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
}

/** Wraps parsed tokenizer.json (+ optional tokenizer_config.json) contents. */
export function tokenizerFromJson(json: object, config: Record<string, unknown> = {}): Tokenizer {
  const hf = new HfTokenizer(json, { ...config, clean_up_tokenization_spaces: false });
  const vocab = hf.get_vocab(true);
  // Older tokenizer_config.json files (Llama 2, TinyLlama) spell tokens as AddedToken objects.
  const eos = config.eos_token as string | { content?: unknown } | undefined;
  const eosName = typeof eos === "string" ? eos : typeof eos?.content === "string" ? eos.content : "<|endoftext|>";
  const eosId = vocab.get(eosName) ?? hf.token_to_id("<|endoftext|>");
  if (eosId === undefined) throw new Error(`tokenizer has no end-of-text token "${eosName}"`);
  let vocabSize = 0;
  for (const id of vocab.values()) vocabSize = Math.max(vocabSize, id + 1);
  return {
    encode: (text) => hf.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => (ids.length === 0 ? "" : hf.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false })),
    tokens: (ids) => ids.map((id) => hf.id_to_token(id) ?? `<${id}>`),
    vocabSize,
    eosId,
  };
}
