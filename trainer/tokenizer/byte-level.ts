// GPT-2's byte-level alphabet and pre-tokenizer split, shared by the BPE trainer (the runtime
// tokenizer is @huggingface/tokenizers, which implements the same scheme from tokenizer.json).

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards. */
export function bytesToUnicode(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const table: string[] = [];
  let next = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable(b) ? b : 256 + next++);
  return table;
}

// The GPT-2 pre-tokenizer pattern (contractions, letters, digits, other, whitespace runs).
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Splits text into GPT-2 pre-tokens, each mapped to byte-level characters. */
export function preTokenize(text: string, table: string[] = bytesToUnicode()): string[] {
  const encoder = new TextEncoder();
  return (text.match(GPT2_SPLIT) ?? []).map((piece) => Array.from(encoder.encode(piece), (b) => table[b]).join(""));
}
