import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GraphBuilder } from "../graph/builder";
import type { Graph } from "../graph/ir";
import { buildGpt2Graph } from "../models/gpt2";
import { exportGraph } from "./export";
import { decodeModel } from "./proto";
import { float32Tensor, floatData, int64Tensor, OnnxSession } from "./session";
import { maxAbsDiff, randomWeights, seededValues, tfjsOutputs, TINY_GPT2 } from "./testing";

type Feed = Record<string, { data: number[]; shape: number[] }>;

async function onnxOutputs(graph: Graph, weights: Record<string, Float32Array>, feed: Feed, opset = 17): Promise<Record<string, Float32Array>> {
  const session = await OnnxSession.create(exportGraph(graph, (n) => weights[n], opset), { intraOpNumThreads: 1 });
  const feeds = Object.fromEntries(graph.inputs.map((s) => {
    const v = feed[s.name];
    return [s.name, s.dtype === "float32" ? float32Tensor(Float32Array.from(v.data), v.shape) : int64Tensor(v.data, v.shape)];
  }));
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, floatData(t)]));
}

const pastFeed = (layers: number, batch: number, heads: number, headDim: number): Feed => {
  const feed: Feed = {};
  for (let i = 0; i < layers; i++) {
    for (const kind of ["key", "value"]) feed[`past_key_values.${i}.${kind}`] = { data: [], shape: [batch, heads, 0, headDim] };
  }
  return feed;
};

describe("IR → ONNX lowering", () => {
  it("tiny GPT-2 logits match the tfjs execution, with left padding in the batch", async () => {
    const graph = buildGpt2Graph(TINY_GPT2);
    const weights = randomWeights(graph);
    const feed: Feed = {
      input_ids: { data: [0, 0, 3, 7, 1, 4, 5, 9, 12, 2], shape: [2, 5] },
      attention_mask: { data: [0, 0, 1, 1, 1, 1, 1, 1, 1, 1], shape: [2, 5] },
      position_ids: { data: [0, 0, 0, 1, 2, 0, 1, 2, 3, 4], shape: [2, 5] },
    };
    const want = await tfjsOutputs(graph, weights, feed, ["logits"]);
    const got = await onnxOutputs(graph, weights, feed);
    expect(got.logits.length).toBe(2 * 5 * 13);
    expect(maxAbsDiff(got.logits, want.logits)).toBeLessThan(1e-4);
    // Not a trivially flat model: logits spread over several units.
    expect(Math.max(...want.logits) - Math.min(...want.logits)).toBeGreaterThan(1);
  });

  it("GPT-2's GELU is lowered in the form ONNX Runtime fuses into one FastGelu kernel", async () => {
    const graph = buildGpt2Graph(TINY_GPT2);
    const weights = randomWeights(graph);
    const dir = mkdtempSync(join(tmpdir(), "preflab-opt-"));
    const optimizedModelPath = join(dir, "opt.onnx");
    await (await OnnxSession.create(exportGraph(graph, (n) => weights[n]), { intraOpNumThreads: 1, optimizedModelPath })).release();
    const ops = decodeModel(readFileSync(optimizedModelPath)).graph.node.map((n) => n.opType);
    rmSync(dir, { recursive: true, force: true });
    expect(ops.filter((op) => op === "FastGelu")).toHaveLength(TINY_GPT2.n_layer);
    expect(ops).not.toContain("Tanh");
  });

  it("refuses, with a clear message, models past one protobuf's 2 GiB instead of writing a corrupt file", () => {
    const b = new GraphBuilder("huge");
    const x = b.input("x", "float32", [1, 40000]);
    b.op("matmul", "mm", [x, b.param("w", [40000, 16000], { kind: "zeros" })], {}, "y"); // 2.4 GiB of float32
    b.output("y", "float32", [1, 16000]);
    expect(() => exportGraph(b.build(), () => { throw new Error("weights must not be read"); })).toThrow(/2\.38 GiB of weights exceed the 2 GiB/);
  });

  it("exact-erf GELU variant matches too", async () => {
    const graph = buildGpt2Graph({ ...TINY_GPT2, activation_function: "gelu" });
    const weights = randomWeights(graph, 2);
    const feed: Feed = {
      input_ids: { data: [1, 2, 3], shape: [1, 3] },
      attention_mask: { data: [1, 1, 1], shape: [1, 3] },
      position_ids: { data: [0, 1, 2], shape: [1, 3] },
    };
    const want = await tfjsOutputs(graph, weights, feed, ["logits"]);
    expect(maxAbsDiff((await onnxOutputs(graph, weights, feed)).logits, want.logits)).toBeLessThan(1e-4);
  });

  it("KV-cache graph: prefix then one step equals the full sequence, presents match tfjs", async () => {
    const graph = buildGpt2Graph(TINY_GPT2, { kvCache: true });
    const weights = randomWeights(graph, 3);
    const { n_layer: layers, n_head: heads, n_embd: e } = TINY_GPT2;
    const ids = [4, 8, 1, 11];
    const full: Feed = {
      input_ids: { data: ids, shape: [1, 4] },
      attention_mask: { data: [1, 1, 1, 1], shape: [1, 4] },
      position_ids: { data: [0, 1, 2, 3], shape: [1, 4] },
      ...pastFeed(layers, 1, heads, e / heads),
    };
    const fullOut = await onnxOutputs(graph, weights, full);
    const prefix: Feed = { ...full, input_ids: { data: ids.slice(0, 3), shape: [1, 3] }, attention_mask: { data: [1, 1, 1], shape: [1, 3] }, position_ids: { data: [0, 1, 2], shape: [1, 3] } };
    const prefixOut = await onnxOutputs(graph, weights, prefix);
    const tfPrefix = await tfjsOutputs(graph, weights, prefix, ["present.1.key", "present.0.value"]);
    expect(maxAbsDiff(prefixOut["present.1.key"], tfPrefix["present.1.key"])).toBeLessThan(1e-5);
    expect(maxAbsDiff(prefixOut["present.0.value"], tfPrefix["present.0.value"])).toBeLessThan(1e-5);
    const step: Feed = { input_ids: { data: [ids[3]], shape: [1, 1] }, attention_mask: full.attention_mask, position_ids: { data: [3], shape: [1, 1] } };
    for (let i = 0; i < layers; i++) {
      for (const kind of ["key", "value"]) step[`past_key_values.${i}.${kind}`] = { data: Array.from(prefixOut[`present.${i}.${kind}`]), shape: [1, heads, 3, e / heads] };
    }
    const stepOut = await onnxOutputs(graph, weights, step);
    const vocab = TINY_GPT2.vocab_size;
    expect(maxAbsDiff(stepOut.logits, fullOut.logits.slice(3 * vocab))).toBeLessThan(1e-5);
  });

  it("ops GPT-2 does not use (reductions, slice, log-softmax, casts, constants) match tfjs at opsets 17 and 18", async () => {
    const b = new GraphBuilder("ops");
    const x = b.input("x", "float32", ["rows", 6]);
    const c = b.op("constant", "c", [], { value: [0.5, 1, 1.5, 2, 2.5, 3], shape: [6], dtype: "float32" });
    const pos = b.op("add", "pos", [b.op("exp", "e", [x], {}), c], {});
    const centered = b.op("sub", "centered", [x, b.op("reduceMean", "m", [x], { axes: [-1], keepDims: true })], {});
    const sq = b.op("sqrt", "sq", [b.op("pow", "p", [pos, b.scalar("two", 2)], {})], {});
    const mixed = b.op("mul", "mixed", [b.op("sigmoid", "s", [centered], {}), b.op("erf", "erf", [sq], {})], {});
    const sliced = b.op("slice", "sl", [b.op("neg", "n", [mixed], {})], { starts: [1], ends: [Number.MAX_SAFE_INTEGER], axes: [-1] });
    const summed = b.op("reduceSum", "sum", [sliced], { axes: [1], keepDims: false });
    const asInt = b.op("cast", "ci", [b.op("mul", "big", [summed, b.scalar("ten", 10)], {})], { to: "int32" });
    b.op("cast", "cf", [asInt], { to: "float32" }, "rounded");
    b.op("logSoftmax", "ls", [sliced], { axis: -1 }, "logp");
    b.output("logp", "float32", ["rows", 5]);
    b.output("rounded", "float32", ["rows"]);
    const graph = b.build();
    const feed: Feed = { x: { data: Array.from(seededValues(18, 7)), shape: [3, 6] } };
    const want = await tfjsOutputs(graph, {}, feed, ["logp", "rounded"]);
    for (const opset of [17, 18]) {
      const got = await onnxOutputs(graph, {}, feed, opset);
      expect(maxAbsDiff(got.logp, want.logp)).toBeLessThan(1e-5);
      expect(Array.from(got.rounded)).toEqual(Array.from(want.rounded));
    }
  });
});
