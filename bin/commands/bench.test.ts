import { preflab } from "./cli.fixtures";
import { describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend";
import { saveTinyBackbone } from "../../trainer/reward/executor-fixtures";


describe("preflab bench train", () => {
  it("times real training steps of a checkpoint and prints tokensPerSecond, engine, threads and peakRssMiB; the missing ONNX engine is a clear error", async () => {
    await initBackend("cpu");
    const dir = saveTinyBackbone(4);
    const out = preflab(null, ["bench", "train", "--model", dir, "--batch", "2", "--seq", "16", "--steps", "2", "--engine", "cpu", "--json"]);
    expect(out.code, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
    expect(result).toMatchObject({ engine: "cpu", threads: 1, parameters: expect.any(Number) });
    expect(result.tokensPerSecond).toBeGreaterThan(0);
    expect(result.peakRssMiB).toBeGreaterThan(10);
    expect(result.tokensPerSecond).toBeCloseTo((2 * 16) / result.secondsPerStep, 6);
    const onnx = preflab(null, ["bench", "train", "--model", dir, "--engine", "onnx"]);
    expect([onnx.code, onnx.stderr.trim()]).toEqual([1, "preflab: the ONNX Runtime training engine is not available in this preflab yet: use --engine auto (TensorFlow.js)"]);
  }, 120_000);
});
