import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { dpoConfigSchema, type PreferenceConfig } from "./config";
import type { PairExample } from "./examples";
import { chosenThenRejected, pairLoss } from "./objective";
import { pairSeedLoss, pairSequenceBatch, pairStepLength } from "./ort-pairs";
import { expectOrtRunLikeTfjs, plantedPolicyRuns } from "./ort-runs.fixtures";
import { buildGpt2Graph } from "../models/gpt2";
import { expectSameTraining, type TrainingTrace } from "../onnx-train/testing";
import { OrtVjpTrainer } from "../onnx-train/vjp-trainer";
import { randomWeights, TINY_GPT2 } from "../onnx/testing";
import { completionLengths, sequenceLogps } from "../policy/sequences";
import { paramGrads } from "../train/lm-step";
import { AdamW } from "../train/optimizer";

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
      const { loss, last } = pairSeedLoss(PAIRS, c);
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
  const ADAMW = { beta1: 0.9, beta2: 0.999, weightDecay: 0.1, gradClip: 1 };
  const STEPS = 3;
  const lrAt = (step: number) => 5e-3 * (step + 1);
  const graph = buildGpt2Graph(TINY_GPT2);
  const shift = (r: { promptIds: number[]; completionIds: number[] }, step: number) => row(r.promptIds.map((t) => (t + step) % TINY_GPT2.vocab_size), r.completionIds.map((t) => (t + 3 * step) % TINY_GPT2.vocab_size));
  const pairsAt = (step: number) => PAIRS.map((e) => ({ ...e, chosen: shift(e.chosen, step), rejected: shift(e.rejected, step) }));

  /** tfjs only: pairBatch's computation (tfjs log-probs of per-batch padded rows + pairLoss), tf.variableGrads, AdamW. */
  function tfjsRun(weights: Record<string, Float32Array>, c: PreferenceConfig): TrainingTrace {
    const params = Object.fromEntries(graph.params.map((p) => [p.name, tf.variable(tf.tensor(weights[p.name]!, p.shape))]));
    const optimizer = new AdamW(ADAMW);
    const trace: TrainingTrace = { losses: [], norms: [], final: {} };
    for (let step = 0; step < STEPS; step++) {
      const batch = pairsAt(step);
      tf.tidy(() => {
        const rows = chosenThenRejected(batch);
        const { value, grads } = tf.variableGrads(() => pairLoss(sequenceLogps({ graph, params: () => params, padId: 0 }, rows), completionLengths(rows), batch, c).loss, Object.values(params));
        trace.losses.push(value.dataSync()[0]!);
        trace.norms.push(optimizer.step(params, paramGrads(params, grads), lrAt(step)));
      });
    }
    trace.final = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.dataSync() as Float32Array]));
    optimizer.dispose();
    tf.dispose(Object.values(params));
    return trace;
  }

  async function ortRun(weights: Record<string, Float32Array>, c: PreferenceConfig): Promise<TrainingTrace> {
    const seq = pairStepLength(PAIRS) + 2; // longer than any row: every row is padded
    const trainer = await OrtVjpTrainer.create({ graph, weights, adamw: ADAMW, batch: 2 * 3, seq, threads: 1 });
    const trace: TrainingTrace = { losses: [], norms: [], final: {} };
    for (let step = 0; step < STEPS; step++) {
      const batch = pairsAt(step);
      const r = await trainer.step(pairSequenceBatch(batch, 3, seq, 0), pairSeedLoss(batch, c).loss, lrAt(step));
      trace.losses.push(r.loss);
      trace.norms.push(r.gradNorm);
    }
    trace.final = Object.fromEntries(Object.entries(trainer.weights()).map(([k, t]) => [k, t.data]));
    await trainer.release();
    return trace;
  }

  for (const lossType of ["sigmoid", "orpo"] as const) {
    it(`${lossType}: losses, grad norms (< 1e-5) and weights (< 1e-4 relative) equal the tfjs step's`, async () => {
      await initBackend("cpu");
      const c = dpoConfigSchema.parse({ lossType, beta: 0.5 });
      const weights = randomWeights(graph, 5, 0.3);
      expectSameTraining(graph, weights, await ortRun(weights, c), tfjsRun(weights, c), () => 1e-4);
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
