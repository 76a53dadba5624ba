import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pretrain } from "./pretrain";

const data = join(import.meta.dirname, "..", "data", "movie-reviews", "movieReviewSnippets_GroundTruth.txt");

interface TrainingLog {
  backend: string;
  steps: number;
  valLoss: number;
  history: Array<{ step: number; loss?: number }>;
}

/** A tiny `preflab pretrain` on `engine`: its training_log.json. */
async function tinyPretrain(engine: "onnx" | "cpu"): Promise<TrainingLog> {
  const out = join(mkdtempSync(join(tmpdir(), "preflab-pretrain-")), "model");
  await pretrain({
    out, data, vocabSize: 300, nLayer: 1, nEmbd: 16, nHead: 2, context: 16, saveEvery: 100, engine, log: () => {},
    train: { batchSize: 4, maxSteps: 10, learningRate: 1e-2, minLearningRate: 1e-3, warmupSteps: 2, evalInterval: 0, seed: 3 },
  });
  expect(existsSync(join(out, "model.safetensors"))).toBe(true);
  return JSON.parse(readFileSync(join(out, "training_log.json"), "utf8")) as TrainingLog;
}

describe("preflab pretrain --engine", () => {
  it("trains the built-in policy's shape on ONNX Runtime to the same losses as TensorFlow.js, and says which engine ran", async () => {
    const ort = await tinyPretrain("onnx");
    const tfjs = await tinyPretrain("cpu");
    expect(ort.backend).toBe(`onnxruntime cpu (threads=${availableParallelism()})`);
    expect(tfjs.backend).toBe("cpu");
    expect([ort.steps, tfjs.steps]).toEqual([10, 10]);
    const lossAt10 = (log: TrainingLog) => log.history.find((r) => r.step === 10)?.loss;
    expect(lossAt10(ort)).toBeDefined();
    // Same batches, same initial weights: fp32 rounding apart, the same run (measured: equal losses
    // at step 10, validation losses 1.5e-8 apart).
    expect(Math.abs(lossAt10(ort)! - lossAt10(tfjs)!)).toBeLessThan(1e-4);
    expect(Math.abs(ort.valLoss - tfjs.valLoss)).toBeLessThan(1e-4);
  });
});
