import { describe, expect, it } from "vitest";
import { countInvisible, splitInvisible, withoutInvisible } from "./invisible-chars";

const shorts = (text: string) => splitInvisible(text).map((s) => (typeof s === "string" ? s : `<${s.short}>`));

describe("splitInvisible", () => {
  it("leaves ordinary text (also right-to-left scripts and emoji) as one run", () => {
    expect(splitInvisible("plain text")).toEqual(["plain text"]);
    expect(splitInvisible("שלום עולם, مرحبا")).toEqual(["שלום עולם, مرحبا"]);
    expect(splitInvisible("")).toEqual([]);
  });

  it("reveals each zero-width character the brief names, with its code point and Unicode name", () => {
    const text = "a\u200Bb\u200Cc\u200Dd\u2060e\uFEFFf";
    expect(shorts(text)).toEqual(["a", "<ZWSP>", "b", "<ZWNJ>", "c", "<ZWJ>", "d", "<WJ>", "e", "<BOM>", "f"]);
    const zwsp = splitInvisible("x\u200B")[1];
    expect(zwsp).toEqual({ char: "\u200B", code: "U+200B", short: "ZWSP", name: "ZERO WIDTH SPACE" });
  });

  it("reveals every bidirectional control instead of letting it reorder the text", () => {
    expect(shorts("abc\u202Edef\u202C ghi")).toEqual(["abc", "<RLO>", "def", "<PDF>", " ghi"]);
    expect(shorts("\u202A\u202B\u202D\u2066\u2067\u2068\u2069\u200E\u200F\u061C")).toEqual(["<LRE>", "<RLE>", "<LRO>", "<LRI>", "<RLI>", "<FSI>", "<PDI>", "<LRM>", "<RLM>", "<ALM>"]);
  });

  it("names the letter a tag character hides, so smuggled ASCII becomes readable", () => {
    const hidden = [..."hi"].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join("");
    expect(shorts(`ok${hidden}`)).toEqual(["ok", "<TAG h>", "<TAG i>"]);
    expect(splitInvisible(String.fromCodePoint(0xe0001))).toEqual([{ char: String.fromCodePoint(0xe0001), code: "U+E0001", short: "TAG", name: "TAG CHARACTER" }]);
  });

  it("keeps a joiner between pictographs and an emoji flag's tags: they show as one glyph", () => {
    const technologist = "\u{1F469}\u200D\u{1F4BB}";
    const withSkinTone = "\u{1F469}\u{1F3FD}\u200D\u{1F4BB}";
    const scotland = "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}";
    expect(splitInvisible(`a ${technologist} ${withSkinTone} ${scotland} b`)).toEqual([`a ${technologist} ${withSkinTone} ${scotland} b`]);
    // A joiner between letters shows nothing: revealed.
    expect(shorts("a\u200D\u{1F4BB}")).toEqual(["a", "<ZWJ>", "\u{1F4BB}"]);
  });

  it("joins the runs back into the original text (nothing lost, nothing reordered)", () => {
    const text = "\uFEFFstart \u202Emiddle\u200B end\u00AD";
    expect(splitInvisible(text).map((s) => (typeof s === "string" ? s : s.char)).join("")).toBe(text);
  });
});

describe("countInvisible and withoutInvisible", () => {
  it("count each character once per occurrence and strip only what is revealed", () => {
    const text = "x\u200By\u200Bz\u202E!";
    expect(countInvisible(text).map((c) => [c.short, c.count])).toEqual([
      ["ZWSP", 2],
      ["RLO", 1],
    ]);
    expect(withoutInvisible(text)).toBe("xyz!");
    expect(withoutInvisible("\u{1F469}\u200D\u{1F4BB}")).toBe("\u{1F469}\u200D\u{1F4BB}");
    expect(countInvisible("clean")).toEqual([]);
  });
});
