import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { buildGpt2Graph } from "../models/gpt2";
import { randomWeights, TINY_GPT2 } from "../onnx/testing";
import type { BatchOutput } from "../policy/batch-output";
import { sequenceLogps, type PolicyForward, type TokenizedCompletion } from "../policy/sequences";
import { dpoConfigSchema, type PreferenceConfig } from "./config";
import type { ListExample } from "./examples";
import { plackettLuceLoss } from "./losses";
import { listBatch } from "./objective";
import { rankSeededRows, rankSequenceBatch, rankStepShape } from "./ort-rank";
import { expectOrtRunLikeTfjs, OFFLINE_RUN, plantedPolicyRuns } from "./ort-runs.fixtures";
import { expectSeededLikeTfjs, shiftedRow } from "./ort-seeded.fixtures";
import { seedLoss } from "./ort-seeded";

const row = (prompt: number[], completion: number[]) => ({ promptIds: prompt, completionIds: completion });
// Lists of different lengths (3 and 2), best first.
const LISTS: ListExample[] = [
  { prompt: "a", ranked: [row([1, 2], [3, 4, 5]), row([1, 2], [6]), row([1, 2], [9, 8])], refs: [-9, -4, -6] },
  { prompt: "b", ranked: [row([7], [8, 9]), row([7], [10, 11, 12, 13])], refs: [-6, -11] },
];
const C: PreferenceConfig = dpoConfigSchema.parse({ lossType: "listwise", beta: 0.5 });
const seedsOf = (loss: (x: tf.Tensor1D) => tf.Scalar, logps: number[]) => tf.tidy(() => tf.grad((x) => loss(x as tf.Tensor1D))(tf.tensor1d(logps)).arraySync() as number[]);

describe("rankings as ONNX Runtime rows", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it("lays out list b's k-th completion at row b·width + k, right-padded to the run's longest; missing entries and lists are rows of an empty mask", () => {
    const { width, seq } = rankStepShape(LISTS);
    expect({ width, seq }).toEqual({ width: 3, seq: 1 + 4 - 1 });
    const b = rankSequenceBatch(LISTS, { batchSize: 3, width, seq, padId: 0 }); // a short batch: 2 lists of 3
    expect(b.inputs).toHaveLength(9);
    expect(b.inputs[3]).toEqual([7, 8, 9, 0]);
    expect(b.targets[4]).toEqual([10, 11, 12, 13]);
    // Row sums of the mask are the completion lengths: list a (3), list b (2) and its missing third, a missing list.
    expect(b.mask.map((m) => m.reduce((s, v) => s + v, 0))).toEqual([3, 1, 2, 2, 4, 0, 0, 0, 0]);
    expect(b.mask[2]).toEqual([0, 1, 1, 0]);
    expect(b.inputs[8]).toEqual([0, 0, 0, 0]);
    expect(() => rankSequenceBatch([...LISTS, ...LISTS], { batchSize: 3, width, seq, padId: 0 })).toThrow(/do not fit/);
    expect(() => rankSequenceBatch(LISTS, { batchSize: 3, width: 2, seq, padId: 0 })).toThrow(/ranking of 3 does not fit/);
  });

  it("the loss is the hand-computed Plackett-Luce loss; the seeds of missing entries and missing lists are exactly 0, the real rows' are not", () => {
    const rows = rankSeededRows(C, { batchSize: 3, width: 3, seq: 4, padId: 0 });
    expect(rows.rows).toBe(9);
    const logps = [-8, -5, -3, -4, -12, -0.5, -7, -2, -1]; // list a, list b + a missing entry, a missing list
    const { loss, last } = seedLoss(rows.loss, LISTS);
    // Utilities β·(logp − ref): list a 0.5, −0.5, 1.5; list b 1, −0.5.
    const lse = (...u: number[]) => Math.log(u.reduce((s, v) => s + Math.exp(v), 0));
    const want = (-(0.5 - lse(0.5, -0.5, 1.5)) - (-0.5 - lse(-0.5, 1.5)) - (1 - lse(1, -0.5))) / 2;
    expect(tf.tidy(() => loss(tf.tensor1d(logps)).dataSync()[0]!)).toBeCloseTo(want, 6);
    // Best against worst: a 0.5 vs 1.5, b 1 vs −0.5.
    expect(last()).toEqual({ "rewards/chosen": 0.75, "rewards/rejected": 0.5, "rewards/accuracies": 0.5, "rewards/margins": 0.25 });
    const seeds = seedsOf(loss, logps);
    expect(seeds.slice(5).map((s) => s === 0)).toEqual([true, true, true, true]); // +0 or −0: no gradient at all
    for (const s of seeds.slice(0, 5)) expect(Math.abs(s)).toBeGreaterThan(1e-4);
    // A batch narrower than the run: list b alone reads its two rows (utilities −1, 3); the rest, its missing third included, are 0.
    const narrow = seedsOf(seedLoss(rows.loss, [LISTS[1]!]).loss, logps);
    expect(narrow.slice(2).map((s) => s === 0)).toEqual(Array(7).fill(true));
    expect(narrow[0]).toBeCloseTo(-0.5 * (1 - Math.exp(-1 - lse(-1, 3))), 6);
    expect(narrow[1]).toBeCloseTo(-narrow[0]!, 6);
  });

  it("launch: an explicit onnx engine is accepted for rankings, refused with LoRA (naming engine)", () => {
    expect(dpoConfigSchema.parse({ engine: "onnx", lossType: "listwise" }).engine).toBe("onnx");
    expect(dpoConfigSchema.safeParse({ engine: "onnx", lossType: "listwise", lora: { rank: 4 } }).error?.issues[0]).toMatchObject({ path: ["engine"], message: expect.stringContaining("LoRA adapters train on TensorFlow.js") });
  });
});

describe("rankings on both engines (lists of 3 and 2 in a step of 3: missing entries and a missing list)", () => {
  const graph = buildGpt2Graph(TINY_GPT2);
  const shift = (r: TokenizedCompletion, step: number) => shiftedRow(r, step, TINY_GPT2.vocab_size);
  const listsAt = (step: number) => LISTS.map((e) => ({ ...e, ranked: e.ranked.map((r) => shift(r, step)) }));
  const forward = (params: Record<string, tf.Tensor>): PolicyForward => ({ graph, params: () => params, padId: 0 });

  /** listBatch as it was before listLoss was split out of it (the tfjs definition the refactor keeps). */
  function listBatchBefore(policy: PolicyForward, batch: readonly ListExample[], c: PreferenceConfig): BatchOutput {
    const width = Math.max(...batch.map((e) => e.ranked.length));
    const flat = sequenceLogps(policy, batch.flatMap((e) => e.ranked));
    const offsets = batch.map((_, b) => batch.slice(0, b).reduce((s, e) => s + e.ranked.length, 0));
    const selection = batch.flatMap((e, b) => Array.from({ length: width }, (_, k) => Array.from({ length: flat.shape[0] }, (_, j) => (k < e.ranked.length && j === offsets[b]! + k ? 1 : 0))));
    const mask = tf.tensor2d(batch.map((e) => Array.from({ length: width }, (_, k) => (k < e.ranked.length ? 1 : 0))));
    const policyLogps = tf.reshape(tf.matMul(tf.tensor2d(selection), tf.reshape(flat, [-1, 1])), [batch.length, width]) as tf.Tensor2D;
    const reference = tf.tensor2d(batch.map((e) => Array.from({ length: width }, (_, k) => e.refs[k] ?? 0)));
    const loss = tf.mean(plackettLuceLoss(policyLogps, reference, mask, c.beta)) as tf.Scalar;
    const utilities = tf.mul(c.beta, tf.sub(policyLogps, reference)).arraySync() as number[][];
    const best = batch.map((_, b) => utilities[b]![0]!);
    const worst = batch.map((e, b) => utilities[b]![e.ranked.length - 1]!);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    return { loss, metrics: { "rewards/chosen": mean(best), "rewards/rejected": mean(worst), "rewards/accuracies": mean(best.map((v, i) => (v > worst[i]! ? 1 : 0))), "rewards/margins": mean(best.map((v, i) => v - worst[i]!)) } };
  }

  it("the shared loss on tfjs (listBatch) gives exactly the loss, metrics and gradients of the definition before the split", async () => {
    await initBackend("cpu");
    const weights = randomWeights(graph, 3, 0.3);
    const params = Object.fromEntries(graph.params.map((p) => [p.name, tf.variable(tf.tensor(weights[p.name]!, p.shape))]));
    const batch = listsAt(1);
    const run = (f: typeof listBatchBefore) => {
      let metrics: Record<string, number> = {};
      const r = tf.variableGrads(() => {
        const out = f(forward(params), batch, C);
        metrics = out.metrics;
        return out.loss;
      }, Object.values(params));
      return { ...r, metrics };
    };
    const [after, before] = [run(listBatch), run(listBatchBefore)];
    expect(after.value.dataSync()[0]).toBe(before.value.dataSync()[0]);
    expect(after.metrics).toEqual(before.metrics);
    // tf.variableGrads keys the gradients by the variables' own names.
    for (const [name, v] of Object.entries(params)) expect(Array.from(after.grads[v.name]!.dataSync()), name).toEqual(Array.from(before.grads[v.name]!.dataSync()));
    tf.dispose([after.value, before.value, ...Object.values(after.grads), ...Object.values(before.grads), ...Object.values(params)]);
  });

  it("ORT: losses, grad norms (< 1e-5), metrics (< 1e-5) and weights (< 1e-4 relative) equal the tfjs steps'", async () => {
    await initBackend("cpu");
    const shape = rankStepShape(LISTS);
    const seq = shape.seq + 2; // longer than any row: every row is padded
    const rows = rankSeededRows(C, { batchSize: 3, width: shape.width, seq, padId: 0 });
    await expectSeededLikeTfjs({ graph, rows, seq, batchAt: listsAt, tfjsBatch: (policy, batch) => listBatch(policy, batch, C) });
  }, 60_000);
});

describe("listwise runs on ONNX Runtime in the worker", () => {
  it("train through the unchanged loss to tfjs's losses (fp32: < 1e-5 per step; measured 9.5e-7), register a policy, and resume from a checkpoint to identical weights", async () => {
    await initBackend("cpu");
    const fx = await plantedPolicyRuns("dpo", { ...OFFLINE_RUN, lossType: "listwise" });
    expect(() => fx.queue({ engine: "onnx", lora: { rank: 4 } })).toThrow(/LoRA adapters train on TensorFlow\.js/); // refused at launch
    await expectOrtRunLikeTfjs(fx, { label: "listwise DPO", tolerance: 1e-5, steps: "every" });
  }, 180_000);
});
