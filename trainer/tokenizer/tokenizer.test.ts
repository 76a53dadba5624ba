import { describe, expect, it } from "vitest";
import { bytesToUnicode, preTokenize } from "./byte-level";
import { tokenizerFromJson } from "./tokenizer";
import { toTokenizerJson } from "./tokenizer-json";
import { trainBpe } from "./train-bpe";

const corpus = ["the cat sat on the mat", "the hat", "a fat cat 🎬 watched the film", "Not a great film."];

describe("byte-level BPE", () => {
  it("maps bytes like GPT-2 (space → Ġ, newline → Ċ) and splits off leading spaces", () => {
    const table = bytesToUnicode();
    expect(table[32]).toBe("Ġ");
    expect(table[10]).toBe("Ċ");
    expect(table[65]).toBe("A");
    expect(preTokenize("the cat's  hat")).toEqual(["the", "Ġcat", "'s", "Ġ", "Ġhat"]);
  });

  it("learns the most frequent pair first and ids stay dense", () => {
    const model = trainBpe(["ab ab ab cd", "ab"], 258 + 1);
    expect(model.merges[0]).toEqual(["a", "b"]);
    expect(model.vocab.ab).toBe(256);
    expect(model.vocab["<|endoftext|>"]).toBe(258);
    expect(Object.values(model.vocab).sort((x, y) => x - y)).toEqual([...Array(259).keys()]);
  });

  it("round-trips any text exactly through tokenizer.json and @huggingface/tokenizers", () => {
    const tok = tokenizerFromJson(toTokenizerJson(trainBpe(corpus, 300)));
    const texts = ["the cat", "  leading and trailing  ", "tabs\tand\n\nnewlines\r\n", "emoji 🎬🍿👩‍👩‍👧 and 日本語", "don't stop", "<|endoftext|> inside", ""];
    for (const text of texts) expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.encode("the")).toEqual([tok.encode("the")[0]]); // a merged token
    expect(tok.eosId).toBe(tok.vocabSize - 1);
    expect(tok.encode("<|endoftext|>")).toEqual([tok.eosId]);
  });
});
