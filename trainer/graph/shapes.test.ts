import { describe, expect, it } from "vitest";
import { buildGpt2Graph } from "../models/gpt2";
import { TINY_GPT2 } from "../onnx/testing";
import { GraphBuilder } from "./builder";
import { broadcastShapes, inferShapes } from "./shapes";

describe("static shape inference", () => {
  it("broadcasts like numpy and refuses incompatible dims", () => {
    expect(broadcastShapes([2, 1, 3], [4, 1])).toEqual([2, 4, 3]);
    expect(broadcastShapes([], [5])).toEqual([5]);
    expect(() => broadcastShapes([2, 3], [4, 3])).toThrow(/cannot broadcast \[2,3\] with \[4,3\]/);
  });

  it("gives every GPT-2 value its dtype and shape for a batch specialisation", () => {
    const { n_embd: e, n_head: heads, vocab_size: vocab } = TINY_GPT2;
    const info = inferShapes(buildGpt2Graph(TINY_GPT2, { kvCache: true }), {
      input_ids: [3, 4], attention_mask: [3, 6], position_ids: [3, 4],
      ...Object.fromEntries(Array.from({ length: TINY_GPT2.n_layer }, (_, i) => [[`past_key_values.${i}.key`, [3, heads, 2, e / heads]], [`past_key_values.${i}.value`, [3, heads, 2, e / heads]]]).flat()),
    });
    expect(info.get("logits")).toEqual({ dtype: "float32", shape: [3, 4, vocab] });
    expect(info.get("present.1.key")).toEqual({ dtype: "float32", shape: [3, heads, 6, e / heads] });
    expect(info.get("input_ids")).toEqual({ dtype: "int64", shape: [3, 4] });
  });

  it("names the node whose inputs do not fit", () => {
    const g = new GraphBuilder("bad");
    g.input("x", "float32", [2, 6]);
    g.op("reshape", "r", ["x"], { shape: [5, -1] });
    expect(() => inferShapes(g.build(), { x: [2, 6] })).toThrow(/node r#0 \(reshape\) on float32\[2,6\]: cannot reshape \[2,6\] to \[5,-1\]/);
    const h = new GraphBuilder("bad2");
    h.input("a", "float32", [2, 3]);
    h.input("i", "int64", [2, 3]);
    h.op("add", "sum", ["a", "i"], {});
    expect(() => inferShapes(h.build(), { a: [2, 3], i: [2, 3] })).toThrow(/node sum#0 \(add\).*dtypes float32 and int64 differ/);
    const r = new GraphBuilder("bad3");
    r.input("x", "float32", [2, 3]);
    r.op("reduceSum", "all", ["x"], { axes: [], keepDims: false });
    expect(() => inferShapes(r.build(), { x: [2, 3] })).toThrow(/node all#0 \(reduceSum\).*empty axes/);
  });
});
