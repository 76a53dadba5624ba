import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rewardModels, runEvents, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { initBackend } from "../backend";
import { runOnce } from "../worker/worker-loop";
import { rewardExecutor } from "./executor";
import { importRows, plantedRows, queueRewardRun, saveTinyBackbone } from "./executor-fixtures";
import { executeGraph } from "../graph/tfjs-exec";
import { buildGpt2Graph } from "../models/gpt2";
import { expectSameTraining, tfjsTrace, type TrainingTrace } from "../onnx-train/testing";
import { OrtVjpTrainer } from "../onnx-train/vjp-trainer";
import { randomWeights, TINY_GPT2 } from "../onnx/testing";
import { buildRewardBatch, type TokenizedPair } from "./batch";
import { SCORE_WEIGHT } from "./head";
import { DEFAULT_REWARD_LOSS_CONFIG, type RewardLossConfig } from "./losses";
import { REWARDS_VALUE, rewardRows, rewardSeedLoss, rewardStepLength, withRewardHead, type RewardRows } from "./ort-rewards";
import { rewardBatchLoss, type HiddenStates } from "./step";
import { REWARD_ADAMW } from "./train-neural";

const PAIRS: TokenizedPair[] = [
  { chosen: [1, 2, 3, 4], rejected: [1, 2, 5], weight: 1, margin: 0.5 },
  { chosen: [7, 8], rejected: [7, 9, 10, 11, 12], weight: 0.5 },
  { chosen: [3, 3, 6], rejected: [3, 4], tie: true },
];
const LOSS: RewardLossConfig = { ...DEFAULT_REWARD_LOSS_CONFIG, tieMode: "davidson", centering: 0.01 };
const BATCH = 3; // pairs per step
const MAX_LENGTH = 32;

describe("reward pairs as ONNX Runtime rows", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it("lays out chosen then rejected rows right-padded to the run's longest, picking each row's last token; padding rows pick none", () => {
    const seq = rewardStepLength(PAIRS, MAX_LENGTH);
    expect(seq).toBe(5);
    expect(rewardStepLength(PAIRS, 3)).toBe(3); // maxLength cuts it
    const r = rewardRows(PAIRS.slice(0, 2), { batchSize: BATCH, seq, maxLength: MAX_LENGTH, padId: 0, sequenceStart: [] }); // a short batch: 2 pairs of 3
    expect(r.inputs).toHaveLength(6);
    expect(r.inputs[1]).toEqual([7, 8, 0, 0, 0]);
    expect(r.inputs[3]).toEqual([7, 9, 10, 11, 12]);
    expect(r.pick.map((p) => p.indexOf(1))).toEqual([3, 1, 2, 4, -1, -1]);
    expect(r.pick.map((p) => p.reduce((s, v) => s + v, 0))).toEqual([1, 1, 1, 1, 0, 0]);
    // Truncation keeps each sequence's end, as buildRewardBatch does.
    expect(rewardRows(PAIRS.slice(1, 2), { batchSize: 1, seq: 3, maxLength: 3, padId: 0, sequenceStart: [] }).inputs).toEqual([[7, 8, 0], [10, 11, 12]]);
    expect(() => rewardRows([...PAIRS, ...PAIRS], { batchSize: BATCH, seq, maxLength: MAX_LENGTH, padId: 0, sequenceStart: [] })).toThrow(/do not fit/);
  });

  it("the seeds of a short batch's padding rows are 0, the real rows' are not", () => {
    const loss = rewardSeedLoss(PAIRS.slice(0, 2), LOSS);
    const seeds = tf.tidy(() => tf.grad((x) => loss(x as tf.Tensor1D))(tf.tensor1d([0.3, -0.2, 0.1, 0.4, 5, -5])).arraySync() as number[]);
    expect(seeds.slice(4)).toEqual([0, 0]);
    for (const s of seeds.slice(0, 4)) expect(Math.abs(s)).toBeGreaterThan(1e-4);
  });

  it("explicit onnx is accepted for neural runs, refused (as a neural-only field) for linear ones", async () => {
    const { parseRewardConfig } = await import("./config");
    expect(parseRewardConfig({}).engine).toBe("auto");
    expect(parseRewardConfig({ engine: "onnx" }).engine).toBe("onnx");
    expect(() => parseRewardConfig({ kind: "linear", engine: "onnx" })).toThrow(/engine: does nothing for kind "linear"/);
  });
});

describe("a reward model trained on ONNX Runtime equals the tfjs reward step (3 steps, the middle one short)", () => {
  const STEPS = 3;
  const lrAt = (step: number) => 5e-3 * (step + 1);
  const backbone = buildGpt2Graph(TINY_GPT2, { hiddenState: true });
  const seq = rewardStepLength(PAIRS, MAX_LENGTH) + 2; // longer than any row: every row is padded
  const withHead = withRewardHead(backbone, 2 * BATCH, seq);
  const shift = (ids: number[], step: number) => ids.map((t) => (t + step) % TINY_GPT2.vocab_size);
  const pairsAt = (step: number) => (step === 1 ? PAIRS.slice(0, 2) : PAIRS).map((p) => ({ ...p, chosen: shift(p.chosen, step), rejected: shift(p.rejected, 2 * step) }));

  /** tfjs only: the reward objective's loss (rewardBatchLoss on per-batch padded rows), tf.variableGrads, AdamW. */
  function tfjsRun(weights: Record<string, Float32Array>): TrainingTrace {
    return tfjsTrace(withHead, weights, { adamw: REWARD_ADAMW, steps: STEPS, lrAt }, (params, step) => {
      const hidden: HiddenStates = (i) =>
        executeGraph(backbone, { ...params, input_ids: i.inputIds, attention_mask: i.attentionMask, position_ids: i.positionIds }, ["last_hidden_state"]).last_hidden_state as tf.Tensor3D;
      return rewardBatchLoss(hidden, params[SCORE_WEIGHT] as unknown as tf.Tensor2D, buildRewardBatch(pairsAt(step), { maxLength: MAX_LENGTH, padId: 0, sequenceStart: [] }), LOSS);
    });
  }

  async function ortRun(weights: Record<string, Float32Array>): Promise<TrainingTrace> {
    const trainer = await OrtVjpTrainer.create<RewardRows>({ graph: backbone, weights, adamw: REWARD_ADAMW, batch: 2 * BATCH, seq, threads: 1, value: REWARDS_VALUE });
    const trace: TrainingTrace = { losses: [], norms: [], final: {} };
    for (let step = 0; step < STEPS; step++) {
      const batch = pairsAt(step);
      const r = await trainer.step(rewardRows(batch, { batchSize: BATCH, seq, maxLength: MAX_LENGTH, padId: 0, sequenceStart: [] }), rewardSeedLoss(batch, LOSS), lrAt(step));
      trace.losses.push(r.loss);
      trace.norms.push(r.gradNorm);
    }
    trace.final = Object.fromEntries(Object.entries(trainer.weights()).map(([k, t]) => [k, t.data]));
    await trainer.release();
    return trace;
  }

  it("losses, grad norms (< 1e-5) and weights, head included (< 1e-4 relative)", async () => {
    await initBackend("cpu");
    const weights = randomWeights(withHead, 5, 0.3);
    const [got, want] = [await ortRun(weights), tfjsRun(weights)];
    expect(withHead.params.map((p) => p.name)).toContain(SCORE_WEIGHT);
    expectSameTraining(withHead, weights, got, want, () => 1e-4);
  }, 60_000);
});

describe("a neural reward run on ONNX Runtime in the worker", () => {
  it("finishes, names onnxruntime, trains to the cpu run's per-step losses, and its saved model scores the held-out pairs alike", async () => {
    await initBackend("cpu");
    const { db, dir } = createTestDb();
    const runsRoot = path.join(dir, "runs");
    const projectId = await importRows(db, "planted", plantedRows(150));
    const config = { kind: "neural", base: saveTinyBackbone(), batchSize: 8, learningRate: 1e-2, epochs: 3, evalInterval: 10, patience: 4, validationFraction: 0.1, testFraction: 0.2 };
    const onnx = queueRewardRun(db, projectId, { ...config, engine: "onnx" });
    const cpu = queueRewardRun(db, projectId, { ...config, engine: "cpu" });
    const executors = { reward: rewardExecutor };
    await runOnce(db, { runsRoot, executors });
    await runOnce(db, { runsRoot, executors });
    const runOf = (id: number) => db.select().from(trainingRuns).where(eq(trainingRuns.id, id)).get()!;
    expect(runOf(onnx.id)).toMatchObject({ status: "succeeded", error: null, backend: expect.stringMatching(/^onnxruntime cpu \(threads=\d+\)$/) });
    expect(runOf(cpu.id)).toMatchObject({ status: "succeeded", error: null, backend: "cpu" });
    const stepLosses = (id: number) => db.select().from(runEvents).where(eq(runEvents.runId, id)).all().filter((e) => e.loss !== null).map((e) => e.loss!);
    const [got, want] = [stepLosses(onnx.id), stepLosses(cpu.id)];
    expect(got.length).toBe(want.length);
    expect(got.length).toBe(42); // 3 epochs of 105 training pairs, 8 a step
    const worst = Math.max(...got.map((l, i) => Math.abs(l - want[i]!)));
    console.log(`reward run on ORT vs tfjs cpu: ${got.length} steps, first loss ${got[0]!.toFixed(6)}, last ${got.at(-1)!.toFixed(6)}; worst |Δloss| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4); // fp32 over 42 Adam steps at lr 1e-2
    expect(got.at(-1)!).toBeLessThan(got[0]! - 0.1); // it trained
    const [a, b] = [onnx, cpu].map((r) => db.select().from(rewardModels).where(eq(rewardModels.runId, r.id)).get()!.metrics!);
    console.log(`held-out: onnx accuracy ${a.accuracy} loss ${a.loss}; cpu accuracy ${b.accuracy} loss ${b.loss}`);
    expect(a.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(a.accuracy).toBe(b.accuracy);
    expect(Math.abs(a.loss! - b.loss!)).toBeLessThan(1e-4);
  }, 120_000);
});
