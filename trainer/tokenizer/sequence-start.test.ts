// Which ids start a sequence, read from tokenizer.json shapes as the hub ships them (written by
// hand: no network), and the helpers every trainer module starts its sequences with.
import { describe, expect, it } from "vitest";
import { tokenizeCompletion } from "../policy/sequences";
import { documentStream, encodePrompt, encodeSequence, keepPromptEnd } from "./sequence-start";
import { tokenizerFromJson } from "./tokenizer";
import { templateProcessor, toTokenizerJson } from "./tokenizer-json";
import { trainBpe } from "./train-bpe";

const bpe = trainBpe(["the cat sat on the mat", "the hat", "a fat cat watched the film"], 300, ["<|endoftext|>", "<s>", "</s>"]);
const SPECIALS = ["<|endoftext|>", "<s>", "</s>"];
const [EOS, BOS, END] = SPECIALS.map((t) => bpe.vocab[t]);
/** GPT-2's shape (ByteLevel post_processor) with another post_processor in its place. */
const withPostProcessor = (postProcessor: object | null) => ({ ...toTokenizerJson(bpe, SPECIALS), post_processor: postProcessor });
const BYTE_LEVEL = { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: true };

describe("Tokenizer.sequenceStart: the ids transformers' tokenizer(text) puts before the text", () => {
  it("GPT-2 (ByteLevel post_processor), Qwen2.5 (the same) and SmolLM2 (a template of $A alone) add nothing", () => {
    for (const json of [toTokenizerJson(bpe, SPECIALS), withPostProcessor(templateProcessor(bpe.vocab, [])), withPostProcessor(null)]) {
      const tok = tokenizerFromJson(json);
      expect(tok.sequenceStart).toEqual([]);
      expect(tok.bosId).toBeUndefined();
    }
  });

  it("a TemplateProcessing \"<s> $A\" (Llama 2 / TinyLlama tokenizer.json) starts with <s>", () => {
    const tok = tokenizerFromJson(withPostProcessor(templateProcessor(bpe.vocab, ["<s>"])));
    expect(tok.sequenceStart).toEqual([BOS]);
    expect(tok.bosId).toBe(BOS);
    expect(tok.encode("the cat")).not.toContain(BOS); // encode itself adds nothing
    expect(tokenizerFromJson(withPostProcessor(templateProcessor(bpe.vocab, ["<s>"])), { add_bos_token: true, bos_token: "<s>" }).sequenceStart).toEqual([BOS]); // not twice
  });

  it("Llama 3's Sequence [ByteLevel, TemplateProcessing \"<|begin_of_text|> $A\"] starts with its BOS", () => {
    const tok = tokenizerFromJson(withPostProcessor({ type: "Sequence", processors: [BYTE_LEVEL, templateProcessor(bpe.vocab, ["<s>"])] }));
    expect(tok.sequenceStart).toEqual([BOS]);
  });

  it("a template's suffix is not a start: \"$A </s>\" adds nothing, \"<s> $A </s>\" only <s>", () => {
    expect(tokenizerFromJson(withPostProcessor(templateProcessor(bpe.vocab, [], ["</s>"]))).sequenceStart).toEqual([]);
    expect(tokenizerFromJson(withPostProcessor(templateProcessor(bpe.vocab, ["<s>"], ["</s>"]))).sequenceStart).toEqual([BOS]);
  });

  it("without a template, tokenizer_config's add_bos_token adds its bos_token (a string or an AddedToken object)", () => {
    const json = toTokenizerJson(bpe, SPECIALS);
    expect(tokenizerFromJson(json, { add_bos_token: true, bos_token: "<s>" }).sequenceStart).toEqual([BOS]);
    expect(tokenizerFromJson(json, { add_bos_token: true, bos_token: { __type: "AddedToken", content: "</s>" } }).sequenceStart).toEqual([END]);
    expect(tokenizerFromJson(json, { add_bos_token: false, bos_token: "<s>" }).sequenceStart).toEqual([]);
    expect(tokenizerFromJson(json, { bos_token: "<s>" }).sequenceStart).toEqual([]); // GPT-2's config names a bos but adds none
    expect(() => tokenizerFromJson(json, { add_bos_token: true, bos_token: "<missing>" })).toThrow(/bos_token "<missing>" is not a token/);
  });
});

describe("starting sequences (sequence-start.ts)", () => {
  const gpt2 = tokenizerFromJson(toTokenizerJson(bpe, SPECIALS));
  const llama = tokenizerFromJson(withPostProcessor(templateProcessor(bpe.vocab, ["<s>"], ["</s>"])));
  const text = gpt2.encode("the cat sat on the mat");

  it("a prompt: the prefix then the text; an empty one is eos without a prefix (GPT-2) and the prefix alone with one", () => {
    expect(encodePrompt(gpt2, "the cat sat on the mat")).toEqual(text);
    expect(encodePrompt(gpt2, "")).toEqual([EOS]);
    expect(encodePrompt(llama, "the cat sat on the mat")).toEqual([BOS, ...text]);
    expect(encodePrompt(llama, "")).toEqual([BOS]);
    expect(encodeSequence(gpt2, "")).toEqual([]);
  });

  it("cutting a prompt from the left keeps its end, and the prefix stays first", () => {
    expect(keepPromptEnd(gpt2, text, 3)).toEqual(text.slice(-3));
    expect(keepPromptEnd(llama, [BOS, ...text], 3)).toEqual([BOS, ...text.slice(-2)]);
    expect(keepPromptEnd(llama, [BOS, ...text], 1)).toEqual([BOS]);
    expect(keepPromptEnd(llama, [BOS, ...text], 99)).toEqual([BOS, ...text]);
  });

  it("tokenizeCompletion (policy runs) truncates a too-long pair with BOS first and never appends the template's eos", () => {
    const row = tokenizeCompletion(llama, "the cat sat on the mat", " the hat", { maxLength: 6, maxPromptLength: 3 });
    expect(row.promptIds).toEqual([BOS, ...text.slice(-2)]);
    expect(row.completionIds).toEqual(llama.encode(" the hat").slice(0, 3));
    expect(tokenizeCompletion(gpt2, "", " the hat", { maxLength: 64, maxPromptLength: 32 }).promptIds).toEqual([EOS]);
  });

  it("a document stream: GPT-2's eos-separated nanoGPT stream is unchanged; with a prefix each document is BOS … eos", () => {
    const [a, b] = [gpt2.encode("the hat"), gpt2.encode("a fat cat")];
    expect(documentStream(gpt2, ["the hat", "a fat cat"])).toEqual([EOS, ...a, EOS, ...b, EOS]);
    expect(documentStream(llama, ["the hat", "a fat cat"])).toEqual([BOS, ...a, EOS, BOS, ...b, EOS]);
  });
});
