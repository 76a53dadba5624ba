/**
 * Characters that show nothing yet change a text: zero-width characters make two completions
 * that look identical differ, and bidirectional controls (a right-to-left override) make text
 * display in an order other than the one it is stored in, the "Trojan Source" trick. The labeling
 * screen shows each as a small marker instead of applying it, so what an annotator reads is what
 * the text holds, in the order it holds it. Pure, so it is unit-tested without a DOM.
 */

/** Short label (shown) and Unicode name (in the marker's title) of each character we reveal. */
const NAMES: Record<number, [short: string, name: string]> = {
  0x00ad: ["SHY", "SOFT HYPHEN"],
  0x061c: ["ALM", "ARABIC LETTER MARK"],
  0x180e: ["MVS", "MONGOLIAN VOWEL SEPARATOR"],
  0x200b: ["ZWSP", "ZERO WIDTH SPACE"],
  0x200c: ["ZWNJ", "ZERO WIDTH NON-JOINER"],
  0x200d: ["ZWJ", "ZERO WIDTH JOINER"],
  0x200e: ["LRM", "LEFT-TO-RIGHT MARK"],
  0x200f: ["RLM", "RIGHT-TO-LEFT MARK"],
  0x202a: ["LRE", "LEFT-TO-RIGHT EMBEDDING"],
  0x202b: ["RLE", "RIGHT-TO-LEFT EMBEDDING"],
  0x202c: ["PDF", "POP DIRECTIONAL FORMATTING"],
  0x202d: ["LRO", "LEFT-TO-RIGHT OVERRIDE"],
  0x202e: ["RLO", "RIGHT-TO-LEFT OVERRIDE"],
  0x2060: ["WJ", "WORD JOINER"],
  0x2061: ["FA", "FUNCTION APPLICATION"],
  0x2062: ["IT", "INVISIBLE TIMES"],
  0x2063: ["IS", "INVISIBLE SEPARATOR"],
  0x2064: ["IP", "INVISIBLE PLUS"],
  0x2066: ["LRI", "LEFT-TO-RIGHT ISOLATE"],
  0x2067: ["RLI", "RIGHT-TO-LEFT ISOLATE"],
  0x2068: ["FSI", "FIRST STRONG ISOLATE"],
  0x2069: ["PDI", "POP DIRECTIONAL ISOLATE"],
  0xfeff: ["BOM", "ZERO WIDTH NO-BREAK SPACE"],
};

/** One revealed character: what the marker shows and what its title says. */
export interface InvisibleChar {
  char: string;
  /** "U+202E" */
  code: string;
  /** "RLO" */
  short: string;
  /** "RIGHT-TO-LEFT OVERRIDE" */
  name: string;
}

/** Text as it should be shown: plain runs and the invisible characters between them. */
export type Segment = string | InvisibleChar;

const TAG_BASE = 0xe0000;

/** Tag characters (U+E0020–E007E) mirror ASCII invisibly ("ASCII smuggling"): the marker names the letter they hide. */
function describe(char: string): InvisibleChar {
  const cp = char.codePointAt(0)!;
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  const known = NAMES[cp];
  if (known) return { char, code, short: known[0], name: known[1] };
  const ascii = cp > TAG_BASE + 0x20 && cp < TAG_BASE + 0x7f ? String.fromCharCode(cp - TAG_BASE) : "";
  return { char, code, short: ascii ? `TAG ${ascii}` : "TAG", name: ascii ? `TAG ${JSON.stringify(ascii)}` : "TAG CHARACTER" };
}

/**
 * Left as they are, because they show: an emoji flag's tag sequence (🏴 + tags + cancel tag) and
 * a zero width joiner between two pictographs (👩‍💻 is drawn as one glyph). Everything else in
 * the class is revealed.
 */
const EMOJI_FLAG = String.raw`\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}`;
const EMOJI_JOINER = String.raw`(?<=[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F])\u200D(?=\p{Extended_Pictographic})`;
const INVISIBLE = String.raw`[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u{E0000}-\u{E007F}]`;
const TOKEN = () => new RegExp(`(${EMOJI_FLAG}|${EMOJI_JOINER})|(${INVISIBLE})`, "gu");

/** Splits `text` into plain runs and revealed characters (adjacent plain runs are merged). */
export function splitInvisible(text: string): Segment[] {
  const out: Segment[] = [];
  let plain = "";
  let last = 0;
  for (const m of text.matchAll(TOKEN())) {
    if (!m[2]) continue; // a kept emoji sequence stays inside the plain run
    plain += text.slice(last, m.index);
    if (plain) out.push(plain);
    plain = "";
    out.push(describe(m[2]));
    last = m.index + m[2].length;
  }
  plain += text.slice(last);
  if (plain) out.push(plain);
  return out;
}

/** The invisible characters a text holds, for a summary ("RLO ×1, ZWSP ×2"). */
export function countInvisible(text: string): Array<InvisibleChar & { count: number }> {
  const byCode = new Map<string, InvisibleChar & { count: number }>();
  for (const s of splitInvisible(text)) {
    if (typeof s === "string") continue;
    const seen = byCode.get(s.code);
    if (seen) seen.count += 1;
    else byCode.set(s.code, { ...s, count: 1 });
  }
  return [...byCode.values()];
}

/** The text without the characters splitInvisible reveals (emoji sequences kept). */
export const withoutInvisible = (text: string): string =>
  splitInvisible(text)
    .filter((s) => typeof s === "string")
    .join("");
