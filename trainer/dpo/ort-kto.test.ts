import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { buildGpt2Graph } from "../models/gpt2";
import { randomWeights, TINY_GPT2 } from "../onnx/testing";
import { sequenceLogps, type TokenizedCompletion } from "../policy/sequences";
import { ktoConfigSchema, type KtoConfig } from "./config";
import { ktoBatch, type KtoTrainingExample } from "./kto-objective";
import { ktoLoss } from "./losses";
import { ktoSeededRows, ktoSequenceBatch, ktoStepLength } from "./ort-kto";
import { expectOrtRunLikeTfjs, plantedPolicyRuns } from "./ort-runs.fixtures";
import { expectSeededLikeTfjs, shiftedRow } from "./ort-seeded.fixtures";
import { seedLoss } from "./ort-seeded";

const row = (prompt: number[], completion: number[]) => ({ promptIds: prompt, completionIds: completion });
const EXAMPLES: KtoTrainingExample[] = [
  { prompt: "a", row: row([1, 2], [3, 4, 5]), desirable: true, ref: -9, mismatched: row([1, 2], [8, 9]), mismatchedRef: -7 },
  { prompt: "b", row: row([7], [8, 9]), desirable: false, ref: -6, mismatched: row([7], [3, 4, 5, 6]), mismatchedRef: -12 },
];
const C: KtoConfig = ktoConfigSchema.parse({ beta: 0.5, desirableWeight: 1.5, undesirableWeight: 0.7 });

describe("KTO examples as ONNX Runtime rows", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it("lays out completions then mismatched rows right-padded to the run's longest, padding rows with an empty mask", () => {
    const seq = ktoStepLength(EXAMPLES);
    expect(seq).toBe(1 + 4 - 1); // the longest row is a mismatched one
    const b = ktoSequenceBatch(EXAMPLES, 3, seq, 0); // a short batch: 2 examples of 3
    expect(b.inputs).toHaveLength(6);
    expect(b.inputs[1]).toEqual([7, 8, 9, 0]);
    expect(b.targets[3]).toEqual([3, 4, 5, 6]);
    // Row sums of the mask are the completion lengths: completion, completion, mismatched, mismatched.
    expect(b.mask.map((m) => m.reduce((s, v) => s + v, 0))).toEqual([3, 2, 2, 4, 0, 0]);
    expect(() => ktoSequenceBatch([...EXAMPLES, ...EXAMPLES], 3, seq, 0)).toThrow(/do not fit/);
  });

  it("seeds: the completions' are not 0; the mismatched rows' (z_ref is detached) and the padding rows' are exactly 0; metrics are hand-computed", () => {
    const logps = [-8, -5, -3, -10, -0.5, -7]; // completions, mismatched, padding
    const { loss, last } = seedLoss(ktoSeededRows(C, { batchSize: 3, seq: 4, padId: 0 }).loss, EXAMPLES);
    const seeds = tf.tidy(() => tf.grad((x) => loss(x as tf.Tensor1D))(tf.tensor1d(logps)).arraySync() as number[]);
    expect(seeds.slice(2)).toEqual([0, 0, 0, 0]);
    for (const s of seeds.slice(0, 2)) expect(Math.abs(s)).toBeGreaterThan(1e-4);
    // z_ref = mean((−3 − −7), (−10 − −12)) = 3; rewards β·(logp − ref) = 0.5, 0.5.
    const sigma = (t: number) => 1 / (1 + Math.exp(-t));
    const want = (1.5 * sigma(-0.5 * (1 - 3)) + 0.7 * sigma(0.5 * (1 - 3))) / 2;
    expect(tf.tidy(() => loss(tf.tensor1d(logps)).dataSync()[0]!)).toBeCloseTo(want, 6);
    expect(last()).toEqual({ kl: 3, "rewards/chosen": 0.5, "rewards/rejected": 0.5, "rewards/margins": 0, "logps/chosen": -8, "logps/rejected": -5 });
  });

  it("launch: an explicit onnx engine is accepted for KTO, refused with LoRA (naming engine)", () => {
    expect(ktoConfigSchema.parse({ engine: "onnx" }).engine).toBe("onnx");
    expect(ktoConfigSchema.safeParse({ engine: "onnx", lora: { rank: 4 } }).error?.issues[0]).toMatchObject({ path: ["engine"], message: expect.stringContaining("LoRA adapters train on TensorFlow.js") });
    expect(ktoConfigSchema.parse({ lora: { rank: 4 } }).engine).toBe("auto");
    expect(ktoConfigSchema.parse({ engine: "wasm" }).engine).toBe("wasm");
  });
});

describe("KTO steps on both engines (2 examples in a step of 3: padding rows included)", () => {
  const graph = buildGpt2Graph(TINY_GPT2);
  const shift = (r: TokenizedCompletion, step: number) => shiftedRow(r, step, TINY_GPT2.vocab_size);
  const examplesAt = (step: number) => EXAMPLES.map((e) => ({ ...e, row: shift(e.row, step), mismatched: shift(e.mismatched, step) }));
  const forward = (params: Record<string, tf.Tensor>) => ({ graph, params: () => params, padId: 0 });

  it("the shared loss on tfjs (ktoBatch) gives the loss, metrics and gradients of KTO's separate-forward definition", async () => {
    await initBackend("cpu");
    const weights = randomWeights(graph, 3, 0.3);
    const params = Object.fromEntries(graph.params.map((p) => [p.name, tf.variable(tf.tensor(weights[p.name]!, p.shape))]));
    const batch = examplesAt(1);
    // KTO before the split: z_ref from a forward of the mismatched rows read as a number, ktoLoss on the completions.
    const before = () => {
      const mismatched = tf.tidy(() => sequenceLogps(forward(params), batch.map((e) => e.mismatched)).dataSync());
      const kl = batch.reduce((s, e, i) => s + mismatched[i]! - e.mismatchedRef, 0) / batch.length;
      const logps = sequenceLogps(forward(params), batch.map((e) => e.row));
      const { losses } = ktoLoss({ logps, refLogps: tf.tensor1d(batch.map((e) => e.ref)), desirable: tf.tensor1d(batch.map((e) => Number(e.desirable))), klEstimate: kl }, C);
      return { loss: tf.mean(losses) as tf.Scalar, kl, logps: Array.from(logps.dataSync()) };
    };
    let metrics: Record<string, number> = {};
    const after = tf.variableGrads(() => {
      const out = ktoBatch(forward(params), batch, C);
      metrics = out.metrics;
      return out.loss;
    }, Object.values(params));
    let reference: { kl: number; logps: number[] } = { kl: 0, logps: [] };
    const want = tf.variableGrads(() => {
      const out = before();
      reference = out;
      return out.loss;
    }, Object.values(params));
    expect(after.value.dataSync()[0]).toBe(want.value.dataSync()[0]);
    expect(metrics).toMatchObject({ kl: Math.max(reference.kl, 0), "logps/chosen": reference.logps[0], "logps/rejected": reference.logps[1] });
    // tf.variableGrads keys the gradients by the variables' own names.
    for (const [name, v] of Object.entries(params)) expect(Array.from(after.grads[v.name]!.dataSync()), name).toEqual(Array.from(want.grads[v.name]!.dataSync()));
    tf.dispose([after.value, want.value, ...Object.values(after.grads), ...Object.values(want.grads), ...Object.values(params)]);
  });

  it("ORT: losses, grad norms (< 1e-5), metrics (< 1e-5) and weights (< 1e-4 relative) equal the tfjs steps'", async () => {
    await initBackend("cpu");
    const seq = ktoStepLength(EXAMPLES) + 2; // longer than any row: every row is padded
    const rows = ktoSeededRows(C, { batchSize: 3, seq, padId: 0 });
    await expectSeededLikeTfjs({ graph, rows, seq, batchAt: examplesAt, tfjsBatch: (policy, batch) => ktoBatch(policy, batch, C) });
  }, 60_000);
});

describe("KTO runs on ONNX Runtime in the worker", () => {
  it("train through the unchanged loss to tfjs's losses (fp32: < 1e-5 per step; measured 3.3e-7), register a policy, and resume from a checkpoint to identical weights", async () => {
    await initBackend("cpu");
    const fx = await plantedPolicyRuns("kto");
    expect(() => fx.queue({ engine: "onnx", lora: { rank: 4 } })).toThrow(/LoRA adapters train on TensorFlow\.js/); // refused at launch
    await expectOrtRunLikeTfjs(fx, { label: "KTO", tolerance: 1e-5, steps: "every" });
  }, 180_000);
});
