// A small byte-level BPE trainer (for the built-in model's ~2-4k vocabulary). Counts pre-token
// words once, then merges the most frequent adjacent pair repeatedly, updating pair counts only
// in the words that contain the merged pair.
import { bytesToUnicode, preTokenize } from "./byte-level";

/** The learned model: token → id and merges in priority order. */
export interface BpeModel {
  vocab: Record<string, number>;
  merges: [string, string][];
}

interface Word { symbols: number[]; count: number }

const pairKey = (a: number, b: number) => a * 1_000_003 + b;

function countWords(texts: string[], index: Map<string, number>): Word[] {
  const counts = new Map<string, number>();
  const table = bytesToUnicode();
  for (const text of texts) for (const w of preTokenize(text, table)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].map(([w, count]) => ({ symbols: Array.from(w, (ch) => index.get(ch) as number), count }));
}

function addPairs(word: Word, wi: number, sign: number, pairs: Map<number, number>, where: Map<number, Set<number>>): void {
  for (let i = 0; i + 1 < word.symbols.length; i++) {
    const key = pairKey(word.symbols[i], word.symbols[i + 1]);
    pairs.set(key, (pairs.get(key) ?? 0) + sign * word.count);
    if (sign > 0) (where.get(key) ?? where.set(key, new Set()).get(key))!.add(wi);
  }
}

function mergeWord(word: Word, a: number, b: number, merged: number): void {
  const out: number[] = [];
  for (let i = 0; i < word.symbols.length; i++) {
    if (i + 1 < word.symbols.length && word.symbols[i] === a && word.symbols[i + 1] === b) { out.push(merged); i++; } else out.push(word.symbols[i]);
  }
  word.symbols = out;
}

function bestPair(pairs: Map<number, number>): number | undefined {
  let best: number | undefined;
  let bestCount = 1; // a pair seen once is not worth a token
  for (const [key, count] of pairs) if (count > bestCount || (count === bestCount && best !== undefined && key < best)) { best = key; bestCount = count; }
  return best;
}

/** Trains merges until the vocabulary (256 bytes + merges + `specials`) reaches `vocabSize`. */
export function trainBpe(texts: string[], vocabSize: number, specials: string[] = ["<|endoftext|>"]): BpeModel {
  const tokens = bytesToUnicode();
  const index = new Map(tokens.map((t, i) => [t, i]));
  const words = countWords(texts, index);
  const pairs = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  words.forEach((w, wi) => addPairs(w, wi, 1, pairs, where));
  const merges: [string, string][] = [];
  while (tokens.length + specials.length < vocabSize) {
    const key = bestPair(pairs);
    if (key === undefined) break;
    const a = Math.floor(key / 1_000_003);
    const b = key % 1_000_003;
    // Two merge paths can spell the same string ("ab"+"c", "a"+"bc"): they share one id.
    const spelled = tokens[a] + tokens[b];
    let merged = index.get(spelled);
    if (merged === undefined) {
      merged = tokens.length;
      tokens.push(spelled);
      index.set(spelled, merged);
    }
    merges.push([tokens[a], tokens[b]]);
    for (const wi of where.get(key) ?? []) {
      addPairs(words[wi], wi, -1, pairs, where);
      mergeWord(words[wi], a, b, merged as number);
      addPairs(words[wi], wi, 1, pairs, where);
    }
    pairs.delete(key);
    where.delete(key);
  }
  const vocab: Record<string, number> = {};
  [...tokens, ...specials].forEach((t, i) => { vocab[t] = i; });
  return { vocab, merges };
}
