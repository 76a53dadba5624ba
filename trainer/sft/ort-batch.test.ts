import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { buildGpt2Graph } from "../models/gpt2";
import { OrtTrainer } from "../onnx-train/ort-trainer";
import { randomWeights, TINY_GPT2 } from "../onnx/testing";
import { completionLengths, sequenceLogps } from "../policy/sequences";
import { sftLmBatch, sftStepLength } from "./ort-batch";

const ROWS = [
  { promptIds: [3, 1], completionIds: [4, 1, 5, 9] },
  { promptIds: [2], completionIds: [6] },
  { promptIds: [5, 3, 5], completionIds: [8, 9, 7] },
];
const PAD = 12;

describe("SFT batches on the ONNX Runtime step graph", () => {
  it("pads rows (and a short last batch) so the masked LM loss equals sftBatch's token-weighted completion NLL on tfjs", async () => {
    await initBackend("cpu");
    const graph = buildGpt2Graph(TINY_GPT2);
    const weights = randomWeights(graph, 2, 0.4);
    const seq = sftStepLength(ROWS);
    expect(seq).toBe(5); // the longest row, 6 tokens, less its last
    const batchSize = 4; // one more row than given: all padding, masked out
    const trainer = await OrtTrainer.create({ graph, weights, adamw: { beta1: 0.9, beta2: 0.999, weightDecay: 0, gradClip: 1 }, batch: batchSize, seq, completionMask: true, threads: 1 });
    const batch = sftLmBatch(ROWS, batchSize, seq, PAD);
    expect(batch.metrics.tokens).toBe(8);
    expect(batch.mask.flat().reduce((a, b) => a + b, 0)).toBe(8);
    const { loss } = await trainer.step(batch, 0);
    await trainer.release();
    const want = tf.tidy(() => {
      const params = Object.fromEntries(graph.params.map((p) => [p.name, tf.tensor(weights[p.name], p.shape)]));
      const total = tf.sum(sequenceLogps({ graph, params: () => params, padId: PAD }, ROWS));
      return -total.dataSync()[0]! / tf.sum(completionLengths(ROWS)).dataSync()[0]!;
    });
    expect(Math.abs(loss - want) / want).toBeLessThan(1e-6);
    expect(() => sftLmBatch([{ promptIds: [1, 2, 3, 4], completionIds: [5, 6, 7, 8, 9] }], 1, seq, PAD)).toThrow("longer than the step's 6");
  });
});
