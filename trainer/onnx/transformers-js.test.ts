// The contract of preflab's ONNX exports with transformers.js (what the playground runs in the
// browser): transformers.js's Node build opens a checkpoint directory with its onnx/model.onnx,
// drives the KV cache itself (past_key_values.{i}.key|value with the config's KV heads) and
// generates greedily exactly the tokens preflab's own ONNX generation picks, for GPT-2, Llama
// (grouped-query cache) and Qwen2.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoModelForCausalLM, AutoTokenizer, env } from "@huggingface/transformers";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyLlamaCheckpoint } from "../models/llama-fixtures";
import { exportOnnx, openOnnxCheckpoint } from "./checkpoint";
import { generateOnnx } from "./generate";
import { writeTinyCheckpoint } from "./testing";

const root = mkdtempSync(join(tmpdir(), "preflab-tjs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// Local files only, as the playground's settings.
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = `${root}/`;

const cases: Array<[string, (dir: string) => void]> = [
  ["gpt2", (dir) => writeTinyCheckpoint(dir, 3)],
  ["llama", (dir) => writeTinyLlamaCheckpoint(dir, "llama", 3)],
  ["qwen2", (dir) => writeTinyLlamaCheckpoint(dir, "qwen2", 3)],
];

describe("transformers.js on preflab's ONNX exports", () => {
  it.each(cases)("%s: greedy generation equals preflab's", async (name, write) => {
    const dir = join(root, name);
    write(dir);
    exportOnnx(dir);
    const tokenizer = await AutoTokenizer.from_pretrained(name);
    const model = await AutoModelForCausalLM.from_pretrained(name, { dtype: "fp32" });
    const inputs = tokenizer("the plot was", { add_special_tokens: false });
    const promptLength = inputs.input_ids.dims.at(-1) as number;
    const out = (await model.generate({ ...inputs, max_new_tokens: 8, do_sample: false })) as unknown as { data: BigInt64Array };
    await model.dispose();
    const theirs = Array.from(out.data, Number).slice(promptLength);
    const onnx = await openOnnxCheckpoint(dir, { intraOpNumThreads: 1 });
    const [ours] = await generateOnnx(onnx, ["the plot was"], { maxNewTokens: 8, temperature: 0 });
    await onnx.lm.release();
    expect(ours.tokenIds).toHaveLength(8); // eos is never the argmax here, so both run to the budget
    expect(theirs).toEqual(ours.tokenIds);
  });
});
