// A tiny random GPT-2 with a real byte-level BPE tokenizer, shared by inference tests.
import { languageModel, type LanguageModel } from "./language-model";
import { buildGpt2Graph, type Gpt2Config } from "./models/gpt2";
import { initParams } from "./models/params";
import { tokenizerFromJson } from "./tokenizer/tokenizer";
import { toTokenizerJson } from "./tokenizer/tokenizer-json";
import { trainBpe } from "./tokenizer/train-bpe";

export const TINY_CORPUS = ["the movie was great", "the film was not good", "a great cast and a weak plot", "what a film!"];

/** A 2-layer, 16-wide GPT-2 with ~300 tokens and random weights (std 0.3 so outputs vary). */
export function tinyLanguageModel(seed = 1, nPositions = 32): LanguageModel & { config: Gpt2Config; tokenizerJson: object } {
  const tokenizerJson = toTokenizerJson(trainBpe(TINY_CORPUS, 300));
  const tokenizer = tokenizerFromJson(tokenizerJson);
  const config: Gpt2Config = {
    model_type: "gpt2", n_layer: 2, n_head: 2, n_embd: 16, n_positions: nPositions, vocab_size: tokenizer.vocabSize,
    layer_norm_epsilon: 1e-5, activation_function: "gelu_new", initializer_range: 0.3,
  };
  return { ...languageModel(config, tokenizer, initParams(buildGpt2Graph(config), seed)), config, tokenizerJson };
}
