import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildGpt2Graph, type Gpt2Config } from "../models/gpt2";
import { exportOnnx, onnxIsStale, onnxModelPath, openOnnxCheckpoint } from "./checkpoint";
import { exportGraph } from "./export";
import { generateOnnx } from "./generate";
import { sequenceLogprobs } from "./logprobs";
import { decodeModel } from "./proto";
import { tfjsOutputs, writeTinyCheckpoint } from "./testing";

const root = mkdtempSync(join(tmpdir(), "preflab-onnx-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function makeCheckpoint(name: string): { dir: string; config: Gpt2Config; weights: Record<string, Float32Array> } {
  const dir = join(root, name);
  return { dir, ...writeTinyCheckpoint(dir) };
}

describe("ONNX export of a checkpoint directory", () => {
  it("writes onnx/model.onnx with transformers.js's input/output names and dynamic dims", () => {
    const { dir, config } = makeCheckpoint("layout");
    const path = exportOnnx(dir);
    expect(path).toBe(join(dir, "onnx", "model.onnx"));
    const { graph, opsetImport } = decodeModel(readFileSync(path));
    expect(opsetImport[0].version).toBe(17);
    expect(graph.input.map((v) => v.name)).toEqual(["input_ids", "attention_mask", "position_ids", "past_key_values.0.key", "past_key_values.0.value"]);
    // kv_new.* feed preflab's slot cache; transformers.js only collects outputs named present*.
    expect(graph.output.map((v) => v.name)).toEqual(["logits", "present.0.key", "present.0.value", "kv_new.0.key", "kv_new.0.value"]);
    const dims = (i: number) => graph.input[i].type.tensorType.shape.dim;
    expect(dims(0)).toEqual([{ dimParam: "batch" }, { dimParam: "seq" }]);
    expect(dims(3)).toEqual([{ dimParam: "batch" }, { dimValue: config.n_head }, { dimParam: "past" }, { dimValue: config.n_embd / config.n_head }]);
    expect(graph.initializer.some((t) => t.name === "transformer.wte.weight")).toBe(true);
  });

  it("opens for log-probs and generation that match tfjs on the checkpoint's weights, with its tokenizer", async () => {
    const { dir, config, weights } = makeCheckpoint("open");
    const { lm, tokenizer } = await openOnnxCheckpoint(dir, { intraOpNumThreads: 1 });
    const ids = tokenizer.encode("a great cast");
    const [lps] = await sequenceLogprobs(lm, [ids]);
    const n = ids.length;
    const { logits } = await tfjsOutputs(buildGpt2Graph(config), weights, {
      input_ids: { data: ids, shape: [1, n] }, attention_mask: { data: ids.map(() => 1), shape: [1, n] }, position_ids: { data: ids.map((_, t) => t), shape: [1, n] },
    }, ["logits"]);
    const v = config.vocab_size;
    for (let t = 1; t < n; t++) {
      const row = Array.from(logits.slice((t - 1) * v, t * v));
      const want = row[ids[t]] - Math.log(row.reduce((a, x) => a + Math.exp(x), 0));
      expect(Math.abs((lps[t] as number) - want)).toBeLessThan(1e-4);
    }
    const [gen] = await generateOnnx({ lm, tokenizer, config, generationConfig: {} }, ["a great"], { maxNewTokens: 5, seed: 1 });
    expect(gen.text).toBe(tokenizer.decode(gen.tokenIds));
    expect(existsSync(onnxModelPath(dir))).toBe(true);
    await lm.release();
  });

  it("re-exports when the weights are newer than the export, and not otherwise", async () => {
    const { dir } = makeCheckpoint("stale");
    expect(onnxIsStale(dir)).toBe(true);
    exportOnnx(dir);
    expect(onnxIsStale(dir)).toBe(false);
    // Backdate the export instead of touching the weights: "newer" must not depend on clock resolution.
    const earlier = new Date(statSync(join(dir, "model.safetensors")).mtimeMs - 5000);
    utimesSync(onnxModelPath(dir), earlier, earlier);
    expect(onnxIsStale(dir)).toBe(true);
    (await openOnnxCheckpoint(dir, { intraOpNumThreads: 1 })).lm.release();
    expect(onnxIsStale(dir)).toBe(false);
  });

  it("replaces an export from an older preflab that lacks the kv_new outputs", async () => {
    const { dir, config, weights } = makeCheckpoint("outdated");
    mkdirSync(join(dir, "onnx"));
    writeFileSync(onnxModelPath(dir), exportGraph(buildGpt2Graph(config, { kvCache: true }), (n) => weights[n]));
    expect(onnxIsStale(dir)).toBe(false);
    const { lm } = await openOnnxCheckpoint(dir, { intraOpNumThreads: 1 });
    expect(decodeModel(readFileSync(onnxModelPath(dir))).graph.output.map((v) => v.name)).toContain("kv_new.0.key");
    await lm.release();
  });

  it("names the file when the checkpoint is broken", () => {
    expect(() => exportOnnx(join(root, "nowhere"))).toThrow(/nowhere: is not a directory/);
    const { dir } = makeCheckpoint("broken");
    rmSync(join(dir, "config.json"));
    expect(() => exportOnnx(dir)).toThrow(/config\.json: is missing/);
  });
});
