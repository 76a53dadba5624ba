// Writes a checkpoint directory in Hugging Face's layout (GPT-2, Llama or Qwen2; weights always
// float32) so it opens in transformers too.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { architectureClass, contextLength, type ModelConfig } from "../models/model-config";
import { tokenizerConfigJson } from "../tokenizer/tokenizer-json";
import { writeSafetensorsFile, type RawTensor } from "./safetensors";

export interface CheckpointContents {
  config: ModelConfig;
  weights: Record<string, RawTensor>;
  tokenizerJson: object;
  /** Defaults to exact-decoding GPT-2 settings. */
  tokenizerConfig?: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
  eosId: number;
  /** config.json's and generation_config.json's bos_token_id; defaults to the config's, else eosId (GPT-2's convention). */
  bosId?: number;
}

/** Writes the files (each via a temporary name + rename, so a crash never leaves half a file). */
export function writeCheckpoint(dir: string, c: CheckpointContents): void {
  mkdirSync(dir, { recursive: true });
  // `data` is the text, or writes the file at the path given (weights: tensor by tensor).
  const put = (name: string, data: string | ((path: string) => void)) => {
    const tmp = join(dir, `${name}.tmp`);
    if (typeof data === "string") writeFileSync(tmp, data);
    else data(tmp);
    renameSync(tmp, join(dir, name));
  };
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  const tied = c.config.model_type === "gpt2" ? true : c.config.tie_word_embeddings;
  // A loaded config keeps the fields preflab does not model (bos_token_id, torch_dtype, ...);
  // the weights written are float32 whatever the original stored.
  const own = c.config as { bos_token_id?: unknown; torch_dtype?: unknown };
  // A Llama's BOS (e.g. 128000) is not its eos: both files keep the one it came with.
  const bosId = c.bosId ?? (typeof own.bos_token_id === "number" ? own.bos_token_id : c.eosId);
  put("config.json", json({
    architectures: [architectureClass(c.config)], ...c.config,
    bos_token_id: bosId, eos_token_id: c.eosId, tie_word_embeddings: tied,
    ...(own.torch_dtype === undefined ? {} : { torch_dtype: "float32" }),
  }));
  put("model.safetensors", (path) => writeSafetensorsFile(path, c.weights));
  put("tokenizer.json", json(c.tokenizerJson));
  put("tokenizer_config.json", json(c.tokenizerConfig ?? tokenizerConfigJson("<|endoftext|>", contextLength(c.config))));
  put("generation_config.json", json(c.generationConfig ?? { bos_token_id: bosId, eos_token_id: c.eosId, do_sample: true, max_new_tokens: 48, top_p: 0.95, temperature: 0.9 }));
}
