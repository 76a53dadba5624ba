import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { dpoConfigSchema, type PreferenceConfig } from "./config";
import type { PairExample } from "./examples";
import { pairBatch } from "./objective";
import { pairSeededRows, pairSequenceBatch, pairStepLength } from "./ort-pairs";
import { expectOrtRunLikeTfjs, plantedPolicyRuns } from "./ort-runs.fixtures";
import { seedLoss } from "./ort-seeded";
import { expectSeededLikeTfjs, shiftedRow } from "./ort-seeded.fixtures";
import { buildGpt2Graph } from "../models/gpt2";
import { TINY_GPT2 } from "../onnx/testing";

const row = (prompt: number[], completion: number[]) => ({ promptIds: prompt, completionIds: completion });
const PAIRS: PairExample[] = [
  { prompt: "a", chosen: row([1, 2], [3, 4, 5]), rejected: row([1, 2], [6]), weight: 1, refChosen: -9, refRejected: -4 },
  { prompt: "b", chosen: row([7], [8, 9]), rejected: row([7], [10, 11, 12, 13]), weight: 0.5, refChosen: -6, refRejected: -11 },
];

describe("DPO pairs as ONNX Runtime rows", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it("lays out chosen then rejected rows right-padded to the run's longest, padding rows with an empty mask", () => {
    const seq = pairStepLength(PAIRS);
    expect(seq).toBe(1 + 4 - 1);
    const b = pairSequenceBatch(PAIRS, 3, seq, 0); // a short batch: 2 pairs of 3
    expect(b.inputs).toHaveLength(6);
    expect(b.inputs[1]).toEqual([7, 8, 9, 0]);
    expect(b.targets[3]).toEqual([10, 11, 12, 13]);
    // Row sums of the mask are the completion lengths, in the order chosen, chosen, rejected, rejected.
    expect(b.mask.map((m) => m.reduce((s, v) => s + v, 0))).toEqual([3, 2, 1, 4, 0, 0]);
    expect(b.mask[0]).toEqual([0, 1, 1, 1]);
    expect(() => pairSequenceBatch([...PAIRS, ...PAIRS], 3, seq, 0)).toThrow(/do not fit/);
  });

  for (const lossType of ["sigmoid", "ipo", "orpo"] as const) {
    it(`${lossType}: the seeds of a short batch's padding rows are 0, the real rows' are not`, () => {
      const c: PreferenceConfig = dpoConfigSchema.parse({ lossType, engine: "onnx" });
      const { loss, last } = seedLoss(pairSeededRows(c, { batchSize: 3, seq: pairStepLength(PAIRS), padId: 0 }).loss, PAIRS);
      const seeds = tf.tidy(() => tf.grad((x) => loss(x as tf.Tensor1D))(tf.tensor1d([-8, -5, -3, -12, -0.5, -7])).arraySync() as number[]);
      expect(seeds.slice(4)).toEqual([0, 0]);
      for (const s of seeds.slice(0, 4)) expect(Math.abs(s)).toBeGreaterThan(1e-4);
      expect(last()["rewards/accuracies"]).toBeTypeOf("number");
    });
  }

  it("an explicit onnx engine is refused at launch for LoRA, with the reason (KTO's: ort-kto.test.ts; rankings': ort-rank.test.ts)", () => {
    expect(dpoConfigSchema.safeParse({ engine: "onnx", lora: { rank: 4 } }).error?.issues[0]).toMatchObject({ path: ["engine"], message: expect.stringContaining("TensorFlow.js") });
    expect(dpoConfigSchema.parse({ lora: { rank: 4 } }).engine).toBe("auto");
  });
});

describe("a short batch of pairs trained on ONNX Runtime (2 pairs in a step of 3, padding rows included)", () => {
  const graph = buildGpt2Graph(TINY_GPT2);
  const pairsAt = (step: number) => PAIRS.map((e) => ({ ...e, chosen: shiftedRow(e.chosen, step, TINY_GPT2.vocab_size), rejected: shiftedRow(e.rejected, step, TINY_GPT2.vocab_size) }));

  for (const lossType of ["sigmoid", "orpo"] as const) {
    it(`${lossType}: losses, grad norms (< 1e-5), metrics (< 1e-5) and weights (< 1e-4 relative) equal the tfjs step's`, async () => {
      await initBackend("cpu");
      const c = dpoConfigSchema.parse({ lossType, beta: 0.5 });
      const seq = pairStepLength(PAIRS) + 2; // longer than any row: every row is padded
      const rows = pairSeededRows(c, { batchSize: 3, seq, padId: 0 });
      await expectSeededLikeTfjs({ graph, rows, seq, batchAt: pairsAt, tfjsBatch: (policy, batch) => pairBatch(policy, batch, c) });
    }, 60_000);
  }
});

describe("DPO runs on ONNX Runtime in the worker", () => {
  it("train through the unchanged loss to tfjs's losses (fp32: < 1e-5 per step; measured 1.6e-6), register a policy, and resume from a checkpoint to identical weights", async () => {
    await initBackend("cpu");
    const fx = await plantedPolicyRuns("dpo");
    expect(() => fx.queue({ engine: "onnx", lora: { rank: 4 } })).toThrow(/LoRA adapters train on TensorFlow\.js/); // refused at launch
    await expectOrtRunLikeTfjs(fx, { label: "DPO", tolerance: 1e-5, steps: "every" });
  }, 180_000);
});
