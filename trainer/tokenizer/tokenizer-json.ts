// Writes a trained byte-level BPE as a standard Hugging Face `tokenizer.json` (the same layout
// GPT-2's has), so the built-in model's tokenizer loads in transformers, tokenizers and
// transformers.js.
import type { BpeModel } from "./train-bpe";

const BYTE_LEVEL = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };

/** The tokenizer.json object for a BPE model; specials must already be in `model.vocab`. */
export function toTokenizerJson(model: BpeModel, specials: string[] = ["<|endoftext|>"]): object {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specials.map((content) => ({
      id: model.vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true,
    })),
    normalizer: null,
    pre_tokenizer: BYTE_LEVEL,
    post_processor: { ...BYTE_LEVEL, trim_offsets: false },
    decoder: BYTE_LEVEL,
    model: {
      type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "",
      fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab: model.vocab,
      merges: model.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

/**
 * A TemplateProcessing post_processor as Llama's tokenizer.json files have: `single` is
 * `before` + the text ($A) + `after` (Llama 3: [<|begin_of_text|>], []); `vocab` gives the ids.
 */
export function templateProcessor(vocab: Record<string, number>, before: string[], after: string[] = []): object {
  const special = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  const text = (id: "A" | "B") => ({ Sequence: { id, type_id: 0 } });
  return {
    type: "TemplateProcessing",
    single: [...before.map(special), text("A"), ...after.map(special)],
    pair: [...before.map(special), text("A"), ...after.map(special), ...before.map(special), text("B"), ...after.map(special)],
    special_tokens: Object.fromEntries([...before, ...after].map((t) => [t, { id: t, ids: [vocab[t]], tokens: [t] }])),
  };
}

/** tokenizer_config.json beside it: exact decoding (no space clean-up), GPT-2's special tokens. */
export function tokenizerConfigJson(eos = "<|endoftext|>", maxLength = 1024): object {
  return {
    tokenizer_class: "GPT2Tokenizer", model_max_length: maxLength, add_prefix_space: false,
    bos_token: eos, eos_token: eos, unk_token: eos, clean_up_tokenization_spaces: false,
  };
}
