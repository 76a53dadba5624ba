import { preflab } from "./cli.fixtures";
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { initBackend } from "../../trainer/backend";
import { saveTinyBackbone } from "../../trainer/reward/executor-fixtures";


describe("preflab bench train", () => {
  it("times real training steps of a checkpoint and prints tokensPerSecond, engine, threads and peakRssMiB, on TensorFlow.js and on ONNX Runtime (what auto picks here)", async () => {
    await initBackend("cpu");
    const dir = saveTinyBackbone(4);
    const out = await preflab(null, ["bench", "train", "--model", dir, "--batch", "2", "--seq", "16", "--steps", "2", "--engine", "cpu", "--json"]);
    expect(out.code, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
    expect(result).toMatchObject({ engine: "cpu", threads: 1, parameters: expect.any(Number) });
    expect(result.tokensPerSecond).toBeGreaterThan(0);
    expect(result.peakRssMiB).toBeGreaterThan(10);
    expect(result.tokensPerSecond).toBeCloseTo((2 * 16) / result.secondsPerStep, 6);
    const threads = availableParallelism();
    for (const engine of ["onnx", "auto"]) {
      const ort = await preflab(null, ["bench", "train", "--model", dir, "--batch", "2", "--seq", "16", "--steps", "2", "--engine", engine, "--json"]);
      expect(ort.code, ort.stderr).toBe(0);
      const r = JSON.parse(ort.stdout.trim().split("\n").at(-1)!);
      expect(r).toMatchObject({ engine: `onnxruntime cpu (threads=${threads})`, threads, parameters: result.parameters, memoryMode: "fused" });
      expect(r.tokensPerSecond).toBeCloseTo((2 * 16) / r.secondsPerStep, 6);
      expect(r.peakRssMiB).toBeGreaterThan(10);
    }
    const lean = await preflab(null, ["bench", "train", "--model", dir, "--batch", "2", "--seq", "16", "--steps", "1", "--engine", "onnx", "--memory", "lean", "--json"]);
    expect(lean.code, lean.stderr).toBe(0);
    expect(JSON.parse(lean.stdout.trim().split("\n").at(-1)!)).toMatchObject({ memoryMode: "lean", parameters: result.parameters });
    const human = await preflab(null, ["bench", "train", "--model", dir, "--batch", "1", "--seq", "8", "--steps", "1", "--engine", "onnx"]);
    expect(human.stdout).toMatch(new RegExp(`^\\d+ tokens/s \\(.* s/step, .*M parameters\\) on onnxruntime cpu \\(threads=${threads}\\), fused step, ${threads} thread\\(s\\), peak \\d+ MiB\\n$`));
  }, 120_000);
});
