// How a model input starts: the one place that decides the ids before a prompt or a document, so
// log-probs, generations, reward scores and training rows of a checkpoint start the way its own
// tokenizer starts them (Llama's BOS) and GPT-2's stay as they always were.
import type { Tokenizer } from "./tokenizer";

/** A whole text as the model sees it: the tokenizer's prefix, then the text's ids. */
export function encodeSequence(tokenizer: Pick<Tokenizer, "encode" | "sequenceStart">, text: string): number[] {
  return [...tokenizer.sequenceStart, ...tokenizer.encode(text)];
}

/**
 * A prompt's ids as a sequence start: the tokenizer's prefix then the text. With no prefix
 * (GPT-2) an empty prompt becomes eos, GPT-2's usual BOS, so the first completion token always
 * has a token to condition on.
 */
export function encodePrompt(tokenizer: Pick<Tokenizer, "encode" | "sequenceStart" | "eosId">, text: string): number[] {
  const ids = encodeSequence(tokenizer, text);
  return ids.length > 0 ? ids : [tokenizer.eosId];
}

/**
 * Prompt ids (from encodePrompt) cut to at most `maxLength`, keeping the text's end as TRL does; the
 * prefix stays first, since a model never saw a sequence that starts mid-text without it.
 */
export function keepPromptEnd(tokenizer: Pick<Tokenizer, "sequenceStart">, ids: number[], maxLength: number): number[] {
  if (ids.length <= maxLength) return ids;
  const prefix = Math.min(tokenizer.sequenceStart.length, maxLength);
  const tail = Math.max(0, maxLength - prefix);
  return [...ids.slice(0, prefix), ...ids.slice(ids.length - tail)];
}

/** One training stream of documents: each starts as the tokenizer starts a sequence and ends with eos. */
export function documentStream(tokenizer: Pick<Tokenizer, "encode" | "sequenceStart" | "eosId">, docs: readonly string[]): number[] {
  // GPT-2 has no prefix: the eos that ends one document is the next one's start, as in nanoGPT.
  const ids = tokenizer.sequenceStart.length > 0 ? [] : [tokenizer.eosId];
  for (const doc of docs) ids.push(...tokenizer.sequenceStart, ...tokenizer.encode(doc), tokenizer.eosId);
  return ids;
}
