// ONNX external data, forced on a tiny Llama (a real one passes 2 GiB in fp32): the weights leave
// the protobuf for `model.onnx_data` (or in-memory buffers), ONNX Runtime's logits stay exactly
// those of the inline export, checkpoint exports keep both files consistent, and transformers.js's
// Node build opens such an export from its path.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AutoModelForCausalLM, AutoTokenizer, env } from "@huggingface/transformers";
import { afterAll, describe, expect, it } from "vitest";
import { WEIGHTS_INDEX_FILE } from "../checkpoint/weight-files";
import { buildLlamaGraph, type LlamaConfig } from "../models/llama";
import { TINY_LLAMA, writeTinyLlamaCheckpoint } from "../models/llama-fixtures";
import { exportOnnx, onnxIsStale, onnxModelPath, openOnnxCheckpoint } from "./checkpoint";
import { exportModel, exportModelWithData, ONNX_DATA_FILE } from "./export";
import { externalize, writeOnnxFiles } from "./external-data";
import { causalLmShape, OnnxCausalLm } from "./forward";
import { generateOnnx } from "./generate";
import { decodeModel } from "./proto";
import { randomWeights } from "./testing";

const root = mkdtempSync(join(tmpdir(), "preflab-onnx-data-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = `${root}/`;

const ids = [3, 1, 4, 1, 5, 9, 2];
const readCheckpointConfig = (dir: string) => JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as LlamaConfig;
const forward = { batch: 1, seq: ids.length, ids, attentionMask: ids.map(() => 1), positionIds: ids.map((_, t) => t), outputs: "logits" as const };

async function logitsOf(model: Parameters<typeof OnnxCausalLm.create>[0]): Promise<number[]> {
  const lm = await OnnxCausalLm.create(model, causalLmShape(TINY_LLAMA), { intraOpNumThreads: 1 });
  try {
    return Array.from((await lm.forward(forward)).logits);
  } finally {
    await lm.release();
  }
}

describe("ONNX external data", () => {
  const weights = randomWeights(buildLlamaGraph(TINY_LLAMA), 5, 0.4);
  const source = (n: string) => weights[n];

  it("moves every weight to model.onnx_data; ORT's logits equal the inline export's exactly, from a file or from memory", async () => {
    const inline = await logitsOf(exportModel(TINY_LLAMA, source));
    const exported = exportModelWithData(TINY_LLAMA, source, { externalDataAbove: 0 });
    const { graph } = decodeModel(exported.model);
    const params = buildLlamaGraph(TINY_LLAMA).params;
    for (const p of params) {
      const t = graph.initializer.find((i) => i.name === p.name)!;
      expect(t.dataLocation).toBe(1); // EXTERNAL
      expect(t.rawData).toBeUndefined();
      const entry = Object.fromEntries(t.externalData!.map((e) => [e.key, e.value]));
      expect(entry.location).toBe(ONNX_DATA_FILE);
      expect(Number(entry.length)).toBe(4 * weights[p.name].length);
    }
    // Constants (shapes, epsilons) stay inline.
    expect(graph.initializer.filter((t) => t.dataLocation !== 1).length).toBeGreaterThan(0);
    const weightBytes = params.reduce((n, p) => n + 4 * weights[p.name].length, 0);
    expect(exported.external.reduce((n, t) => n + t.bytes.byteLength, 0)).toBe(weightBytes);
    expect(exported.model.byteLength).toBeLessThan(weightBytes); // the protobuf cannot be holding them

    const dir = join(root, "forced");
    const path = join(dir, "onnx", "model.onnx");
    mkdirSync(join(dir, "onnx"), { recursive: true });
    writeOnnxFiles(path, exported);
    const data = readFileSync(join(dir, "onnx", ONNX_DATA_FILE));
    const first = exported.external[0];
    expect(Array.from(data.subarray(first.offset, first.offset + first.bytes.byteLength))).toEqual(Array.from(first.bytes));
    expect(await logitsOf(path)).toEqual(inline);

    const inMemory = exportModelWithData(TINY_LLAMA, source, { externalDataAbove: 0, externalData: "memory" });
    expect(new Set(inMemory.external.map((t) => t.location)).size).toBe(params.length);
    expect(await logitsOf(inMemory)).toEqual(inline);
    // A file layout cannot be opened from memory (one path, many buffers): refused, not misread.
    await expect(logitsOf(exported)).rejects.toThrow(/needs its external data exported as "memory"/);
  });

  it("aligns tensors from 1 MiB on 64 KiB, as ONNX Runtime's writer does, and packs smaller ones", () => {
    const tensor = (name: string, bytes: number) => ({ name, dims: [bytes / 4], dataType: 1, rawData: new Uint8Array(bytes) });
    const placed = externalize([tensor("a", 100), tensor("b", 1 << 20), tensor("c", 8), tensor("d", 1 << 20)], { file: "m.onnx_data" });
    expect(placed.map((t) => t.offset)).toEqual([0, 65536, 65536 + (1 << 20), 65536 * 2 + (1 << 20)]);
  });

  it("checkpoint exports: forced external data opens from the path with the same logits; staleness covers the data file and shards", async () => {
    const dir = join(root, "llama");
    writeTinyLlamaCheckpoint(dir, "llama", 3);
    const inlinePath = exportOnnx(dir);
    const inline = await logitsOf(inlinePath);
    exportOnnx(dir, { externalDataAbove: 0 });
    const dataPath = join(dir, "onnx", ONNX_DATA_FILE);
    expect(existsSync(dataPath)).toBe(true);
    expect(onnxIsStale(dir)).toBe(false);
    const opened = await openOnnxCheckpoint(dir, { intraOpNumThreads: 1 });
    expect(Array.from((await opened.lm.forward(forward)).logits)).toEqual(inline);
    await opened.lm.release();
    expect(decodeModel(readFileSync(onnxModelPath(dir))).graph.initializer.some((t) => t.dataLocation === 1)).toBe(true); // not re-exported inline

    // A data file newer than its model: an export stopped between its two renames.
    const later = new Date(statSync(onnxModelPath(dir)).mtimeMs + 5000);
    utimesSync(dataPath, later, later);
    expect(onnxIsStale(dir)).toBe(true);
    // An inline export removes the data file an earlier export left.
    exportOnnx(dir);
    expect(existsSync(dataPath)).toBe(false);
    expect(onnxIsStale(dir)).toBe(false);
    utimesSync(join(dir, "model.safetensors"), later, later);
    expect(onnxIsStale(dir)).toBe(true);

    // Sharded weights: a shard rewritten after the export makes it stale too.
    const shard = "model-00001-of-00001.safetensors";
    renameSync(join(dir, "model.safetensors"), join(dir, shard));
    utimesSync(join(dir, shard), new Date(0), new Date(0)); // undo the future time set above
    const names = buildLlamaGraph(readCheckpointConfig(dir)).params.map((p) => p.name);
    writeFileSync(join(dir, WEIGHTS_INDEX_FILE), JSON.stringify({ weight_map: Object.fromEntries(names.map((n) => [n, shard])) }));
    exportOnnx(dir);
    expect(onnxIsStale(dir)).toBe(false);
    const evenLater = new Date(statSync(onnxModelPath(dir)).mtimeMs + 5000);
    utimesSync(join(dir, shard), evenLater, evenLater);
    expect(onnxIsStale(dir)).toBe(true);
  });

  it("transformers.js's Node build opens an external-data export from its path and generates preflab's tokens", async () => {
    const dir = join(root, "tjs");
    writeTinyLlamaCheckpoint(dir, "llama", 3);
    exportOnnx(dir, { externalDataAbove: 0 });
    const tokenizer = await AutoTokenizer.from_pretrained("tjs");
    const model = await AutoModelForCausalLM.from_pretrained("tjs", { dtype: "fp32" });
    const inputs = tokenizer("the plot was", { add_special_tokens: false });
    const promptLength = inputs.input_ids.dims.at(-1) as number;
    const out = (await model.generate({ ...inputs, max_new_tokens: 8, do_sample: false })) as unknown as { data: BigInt64Array };
    await model.dispose();
    const onnx = await openOnnxCheckpoint(dir, { intraOpNumThreads: 1 });
    const [ours] = await generateOnnx(onnx, ["the plot was"], { maxNewTokens: 8, temperature: 0 });
    await onnx.lm.release();
    expect(ours.tokenIds).toHaveLength(8);
    expect(Array.from(out.data, Number).slice(promptLength)).toEqual(ours.tokenIds);
  });
});
