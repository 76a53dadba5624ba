import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { availableBackends, initBackend } from "../backend";
import type { GraphNode } from "./ir";
import { resolveReshape, TFJS_OPS } from "./tfjs-ops";

const run = (node: GraphNode, inputs: tf.Tensor[]) => (TFJS_OPS[node.op] as (n: GraphNode, x: tf.Tensor[]) => tf.Tensor[])(node, inputs);

describe("tfjs ops", () => {
  it("reshape follows ONNX: 0 copies a dim, -1 is inferred", () => {
    expect(resolveReshape([2, 3, 8], [0, 0, 2, 4])).toEqual([2, 3, 2, 4]);
    expect(resolveReshape([2, 3, 2, 4], [0, 0, -1])).toEqual([2, 3, 8]);
    expect(resolveReshape([2, 5], [0, 1, 1, -1])).toEqual([2, 1, 1, 5]);
  });

  it("causal mask with past keys lets query i see keys up to past + i", async () => {
    await initBackend("cpu");
    const [mask] = run({ op: "causalMask", name: "m", inputs: ["s"], outputs: ["y"] }, [tf.zeros([1, 1, 2, 4])]);
    expect(mask.dtype).toBe("bool");
    expect(mask.arraySync()).toEqual([[1, 1, 1, 0], [1, 1, 1, 1]]);
  });

  it("slice clamps huge and negative bounds like ONNX", async () => {
    await initBackend("cpu");
    const x = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8]]);
    const [y] = run({ op: "slice", name: "s", inputs: ["x"], outputs: ["y"], starts: [-3], ends: [1e9], axes: [-1] }, [x]);
    expect(y.arraySync()).toEqual([[2, 3, 4], [6, 7, 8]]);
  });

  it("gelu matches hand values for the tanh and erf forms", async () => {
    await initBackend("cpu");
    const x = tf.tensor1d([1, -0.5]);
    const [tanh] = run({ op: "gelu", name: "g", inputs: ["x"], outputs: ["y"], approximate: "tanh" }, [x]);
    const [erf] = run({ op: "gelu", name: "g", inputs: ["x"], outputs: ["y"], approximate: "none" }, [x]);
    const t = tanh.dataSync();
    const e = erf.dataSync();
    expect(t[0]).toBeCloseTo(0.8411919906082768, 5);
    expect(t[1]).toBeCloseTo(-0.15428599017, 5);
    expect(e[0]).toBeCloseTo(0.8413447460685429, 5);
  });

  it("embedding gradient sums repeated rows on every backend (scatter-add where wasm lacks the kernel)", async () => {
    for (const backend of await availableBackends()) {
      await initBackend(backend);
      const node: GraphNode = { op: "gather", name: "g", inputs: ["d", "i"], outputs: ["y"], axis: 0 };
      const grad = tf.grad((d: tf.Tensor) => tf.sum(tf.mul(run(node, [d, tf.tensor2d([[2, 0], [2, 2]], undefined, "int32")])[0], tf.tensor1d([1, 10]))));
      // row 2 picked 3 times, row 0 once, row 1 never; each pick contributes [1, 10]
      expect(grad(tf.zeros([3, 2])).arraySync()).toEqual([[1, 10], [0, 0], [3, 30]]);
    }
  });
});
