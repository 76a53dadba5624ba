// preflab's log-probs against PyTorch's: `preflab model logprobs` (the real CLI, both paths: --text
// on TensorFlow.js, --input on ONNX Runtime) and trainer/models/reference/reference_logprobs.py (an
// independent PyTorch implementation of each architecture) score the same token ids of the same
// small random checkpoints. The reference runs in float64, so the error printed and asserted is
// preflab's own fp32 error; PyTorch's float32 error beside it shows what fp32 precision means here.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { preflab } from "../../bin/commands/cli.fixtures";
import { writeTempFile } from "../../db/testing";
import { readCheckpoint } from "../checkpoint/read";
import { readSafetensors } from "../checkpoint/safetensors";
import { maxAbsDiff, writeTinyCheckpoint } from "../onnx/testing";
import { writeTinyLlamaCheckpoint } from "./llama-fixtures";
import { referenceCompletionLogprobs, referenceTextLogprobs } from "./reference/reference-logprobs";
import { findTorchPython } from "./reference/torch-python";

const torch = findTorchPython();
if (!torch.available) console.warn(`pytorch-reference.test.ts skipped: ${torch.reason}`);

/** Per-token log-probs of ~6 nats: fp32 keeps ~7 digits, and a few layers of sums lose one or two. */
const TOKEN_TOLERANCE = 5e-5;
/** Completion sums add up to ~20 per-token errors. */
const SUM_TOLERANCE = 2e-4;

interface Case {
  name: string;
  /** Writes the checkpoint directory (config.json, model.safetensors, tokenizer.json). */
  write: (dir: string) => void;
}

// Every fixture's tokenizer is trained on the same two sentences, so one text and item set fits all.
const TEXT = "the plot was thin but the cast was great";
const ITEMS = [
  { prompt: "a great", completion: " movie, a great cast" },
  { prompt: "", completion: "the plot was thin" }, // empty prompt: eos as BOS
  { prompt: "the cast was", completion: " great but the plot was thin" },
];
/** llama3 scaling with a short original context, so a 8-wide head has frequencies in all three bands. */
const LLAMA3_ROPE = { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 16 } as const;

/** A float32's top 16 bits: bfloat16 by truncation (any bytes do: both readers must decode them alike). */
const bf16Bits = (bits: number) => bits >>> 16;

/** IEEE half by truncation, tiny values flushed to zero (weights here are within ±1.5). */
function f16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  if (exponent <= 0) return sign;
  return exponent >= 31 ? sign | 0x7c00 : sign | (exponent << 10) | ((bits & 0x7fffff) >>> 13);
}

/**
 * Rewrites a checkpoint's model.safetensors in 16-bit floats, as hub checkpoints ship (SmolLM2 and
 * Qwen2.5 in BF16): tensors alternate BF16 and F16, so both readers' decoders meet both formats.
 */
function storeAs16Bit(dir: string): void {
  const file = join(dir, "model.safetensors");
  const { tensors } = readSafetensors(readFileSync(file));
  const header: Record<string, unknown> = {};
  const chunks: Buffer[] = [];
  let offset = 0;
  Object.keys(tensors).sort().forEach((name, i) => {
    const { shape, data } = tensors[name];
    const [dtype, encode] = i % 2 === 0 ? ["BF16", bf16Bits] : ["F16", f16Bits];
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    const bytes = Buffer.alloc(data.length * 2);
    bits.forEach((b, k) => bytes.writeUInt16LE(encode(b), k * 2));
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  });
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([length, json, ...chunks]));
}

const CASES: Case[] = [
  { name: "gpt2 (tied, biases)", write: (dir) => writeTinyCheckpoint(dir, 4) },
  { name: "llama (untied, no biases, 4 heads over 2 KV heads)", write: (dir) => writeTinyLlamaCheckpoint(dir, "llama", 7) },
  {
    name: "qwen2 (q/k/v biases, tied, rope_theta 1e6) stored in BF16 and F16",
    write: (dir) => {
      writeTinyLlamaCheckpoint(dir, "qwen2", 8);
      storeAs16Bit(dir);
    },
  },
  {
    name: "llama (attention_bias, mlp_bias, llama3 rope scaling, 4 heads over 1 KV head)",
    write: (dir) => writeTinyLlamaCheckpoint(dir, "llama", 9, { attention_bias: true, mlp_bias: true, rope_scaling: LLAMA3_ROPE, num_key_value_heads: 1 }),
  },
];

const run = async (args: string[]) => {
  const out = await preflab(null, ["model", "logprobs", ...args]);
  expect(out.code, out.stderr).toBe(0);
  return out.stdout;
};

const numbers = (xs: Array<number | null>) => xs.slice(1) as number[];

describe.skipIf(!torch.available)("preflab model logprobs agrees with PyTorch's implementation of the architecture", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const dir = join(mkdtempSync(join(tmpdir(), "preflab-torch-ref-")), "model");
      beforeAll(() => c.write(dir));

      it(`--text (TensorFlow.js) per-token log-probs equal PyTorch float64's to fp32 precision`, async () => {
        const got = JSON.parse(await run(["--model", dir, "--text", TEXT])) as { token_ids: number[]; logprobs: Array<number | null> };
        expect(got.token_ids.length).toBeGreaterThan(8);
        const [exact, torch32] = await Promise.all([referenceTextLogprobs(dir, got.token_ids, { double: true }), referenceTextLogprobs(dir, got.token_ids)]);
        const error = maxAbsDiff(numbers(got.logprobs), numbers(exact));
        console.log(`${c.name} --text: ${got.token_ids.length} tokens, max abs error vs float64 ${error.toExponential(2)} (PyTorch float32: ${maxAbsDiff(numbers(torch32), numbers(exact)).toExponential(2)})`);
        expect(got.logprobs[0]).toBeNull();
        expect(error).toBeLessThan(TOKEN_TOLERANCE);
        // The weights are far from uniform, so agreement means something: log-probs spread by > 1 nat.
        expect(Math.max(...numbers(exact)) - Math.min(...numbers(exact))).toBeGreaterThan(1);
      });

      it(`--input (ONNX Runtime) completion log-probs equal PyTorch float64's to fp32 precision`, async () => {
        const { tokenizer } = readCheckpoint(dir);
        const ids = ITEMS.map((it) => ({ promptIds: it.prompt ? tokenizer.encode(it.prompt) : [tokenizer.eosId], completionIds: tokenizer.encode(it.completion) }));
        const file = writeTempFile("items.jsonl", ITEMS.map((it) => JSON.stringify(it)).join("\n"));
        const got = (await run(["--model", dir, "--input", file, "--batch-size", "2"])).trim().split("\n").map((l) => JSON.parse(l) as { logprob: number; tokens: number });
        const exact = await referenceCompletionLogprobs(dir, ids, { double: true });
        const error = maxAbsDiff(got.map((g) => g.logprob), exact.map((e) => e.logprob));
        console.log(`${c.name} --input: ${ids.length} completions of ${exact.map((e) => e.tokens).join(", ")} tokens, max abs error of the sums vs float64 ${error.toExponential(2)}`);
        expect(got.map((g) => g.tokens)).toEqual(ids.map((it) => it.completionIds.length));
        expect(error).toBeLessThan(SUM_TOLERANCE);
      });
    });
  }
});
