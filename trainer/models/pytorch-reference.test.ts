// preflab's log-probs against PyTorch's: `preflab model logprobs` (the real CLI, both paths: --text
// on TensorFlow.js, --input on ONNX Runtime) and trainer/models/reference/reference_logprobs.py (an
// independent PyTorch implementation of each architecture) score the same token ids of the same
// small random checkpoints. The reference runs in float64, so the error printed and asserted is
// preflab's own fp32 error; PyTorch's float32 error beside it shows what fp32 precision means here.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { preflabAsync } from "../../bin/commands/cli.fixtures";
import { writeTempFile } from "../../db/testing";
import { readCheckpoint } from "../checkpoint/read";
import { maxAbsDiff, writeTinyCheckpoint } from "../onnx/testing";
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
  text: string;
  items: Array<{ prompt: string; completion: string }>;
}

const CASES: Case[] = [
  {
    name: "gpt2 (tied, biases)",
    write: (dir) => writeTinyCheckpoint(dir, 4),
    text: "the plot was thin but the cast was great",
    items: [
      { prompt: "a great", completion: " movie, a great cast" },
      { prompt: "", completion: "the plot was thin" }, // empty prompt: eos as BOS
      { prompt: "the cast was", completion: " great but the plot was thin" },
    ],
  },
];

const run = async (args: string[]) => {
  const out = await preflabAsync(null, ["model", "logprobs", ...args]);
  expect(out.code, out.stderr).toBe(0);
  return out.stdout;
};

const numbers = (xs: Array<number | null>) => xs.slice(1) as number[];

describe.skipIf(!torch.available)("preflab model logprobs agrees with PyTorch's implementation of the architecture", () => {
  for (const c of CASES) {
    const dir = join(mkdtempSync(join(tmpdir(), "preflab-torch-ref-")), "model");
    let written = false;
    const checkpoint = () => {
      if (!written) c.write(dir);
      written = true;
      return dir;
    };

    it(`${c.name}: --text (TensorFlow.js) per-token log-probs equal PyTorch float64's to fp32 precision`, async () => {
      const got = JSON.parse(await run(["--model", checkpoint(), "--text", c.text])) as { token_ids: number[]; logprobs: Array<number | null> };
      expect(got.token_ids.length).toBeGreaterThan(8);
      const exact = await referenceTextLogprobs(dir, got.token_ids, { double: true });
      const torch32 = await referenceTextLogprobs(dir, got.token_ids);
      const error = maxAbsDiff(numbers(got.logprobs), numbers(exact));
      console.log(`${c.name} --text: ${got.token_ids.length} tokens, max abs error vs float64 ${error.toExponential(2)} (PyTorch float32: ${maxAbsDiff(numbers(torch32), numbers(exact)).toExponential(2)})`);
      expect(got.logprobs[0]).toBeNull();
      expect(error).toBeLessThan(TOKEN_TOLERANCE);
      // The weights are far from uniform, so agreement means something: log-probs spread by > 1 nat.
      expect(Math.max(...numbers(exact)) - Math.min(...numbers(exact))).toBeGreaterThan(1);
    });

    it(`${c.name}: --input (ONNX Runtime) completion log-probs equal PyTorch float64's to fp32 precision`, async () => {
      const { tokenizer } = readCheckpoint(checkpoint());
      const ids = c.items.map((it) => ({ promptIds: it.prompt ? tokenizer.encode(it.prompt) : [tokenizer.eosId], completionIds: tokenizer.encode(it.completion) }));
      const file = writeTempFile("items.jsonl", c.items.map((it) => JSON.stringify(it)).join("\n"));
      const got = (await run(["--model", dir, "--input", file, "--batch-size", "2"])).trim().split("\n").map((l) => JSON.parse(l) as { logprob: number; tokens: number });
      const exact = await referenceCompletionLogprobs(dir, ids, { double: true });
      const torch32 = await referenceCompletionLogprobs(dir, ids);
      const error = maxAbsDiff(got.map((g) => g.logprob), exact.map((e) => e.logprob));
      console.log(`${c.name} --input: ${ids.length} completions of ${exact.map((e) => e.tokens).join(", ")} tokens, max abs error of the sums vs float64 ${error.toExponential(2)} (PyTorch float32: ${maxAbsDiff(torch32.map((t) => t.logprob), exact.map((e) => e.logprob)).toExponential(2)})`);
      expect(got.map((g) => g.tokens)).toEqual(ids.map((it) => it.completionIds.length));
      expect(error).toBeLessThan(SUM_TOLERANCE);
    });
  }
});
