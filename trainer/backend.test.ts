import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { availableBackends, backendOrder, describeBackend, initBackend } from "./backend";

describe("backend selection", () => {
  it("prefers native, then wasm, then cpu; GPU only when asked; rejects unknown names", () => {
    expect(backendOrder(undefined)).toEqual(["node", "wasm", "cpu"]);
    expect(backendOrder(" GPU ")).toEqual(["gpu"]);
    expect(() => backendOrder("cuda")).toThrow(/expected gpu, node, wasm or cpu/);
  });

  it("wasm and cpu start here and the choice is what tfjs runs on", async () => {
    const found = await availableBackends();
    expect(found).toEqual(expect.arrayContaining(["wasm", "cpu"]));
    const info = await initBackend("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(describeBackend(info)).toMatch(/^wasm \(simd=(on|off), threads=1\)$/);
    await expect(initBackend("gpu")).rejects.toThrow(/no TensorFlow.js backend could start/);
  });
});
