import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { rewardModels, runEvents, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { initBackend } from "../backend";
import { readSafetensors } from "../checkpoint/safetensors";
import { runOnce } from "../worker/worker-loop";
import { parseRewardConfig } from "./config";
import { rewardExecutor } from "./executor";
import { loadRewardData } from "./executor-data";
import { importRows, plantedRows, queueRewardRun, saveTinyBackbone } from "./executor-fixtures";
import { SCORE_WEIGHT } from "./head";
import { rewardMetrics } from "./metrics";
import { loadRewardScorer } from "./scorer";

type Db = ReturnType<typeof createTestDb>["db"];
const executors = { reward: rewardExecutor };
const runRow = (db: Db, id: number) => db.select().from(trainingRuns).where(eq(trainingRuns.id, id)).get()!;
const eventsOf = (db: Db, id: number) => db.select().from(runEvents).where(eq(runEvents.runId, id)).all();
const weightsAt = (dir: string) => readSafetensors(readFileSync(path.join(dir, "model.safetensors"))).tensors;
/**
 * Big enough for a reliable test accuracy (30 test pairs; an untrained model scores ~0.5 on them),
 * small enough for seconds on one core (42 steps). Batches of 8 pairs: held-out pairs are then
 * scored 16 rows at a time, as the public scorer does, so its numbers match to the last bit.
 */
const LEARN_PROMPTS = 150;
const LEARN_CONFIG = { kind: "neural", batchSize: 8, learningRate: 1e-2, epochs: 3, evalInterval: 10, patience: 4, validationFraction: 0.1, testFraction: 0.2 };
const VAL_SERIES = ["val_accuracy", "val_ece", "val_loss", "val_mean_margin", "val_reward_mean", "val_reward_std"];

describe("the neural reward executor (tiny GPT-2 backbone)", async () => {
  await initBackend();
  const backbone = saveTinyBackbone();
  const config = { kind: "neural", base: backbone, batchSize: 4, evalInterval: 2, learningRate: 1e-2, validationFraction: 0.2, patience: 10 };

  it("trains a few steps, charts loss and metrics, and saves an HF sequence classifier", async () => {
    const { db, dir } = createTestDb();
    const runsRoot = path.join(dir, "runs"); // per test: run ids restart at 1 in every database
    const projectId = await importRows(db, "planted", plantedRows(40));
    const run = queueRewardRun(db, projectId, { ...config, maxSteps: 4 });
    const tensorsBefore = tf.memory().numTensors;
    await runOnce(db, { runsRoot, executors });
    expect(runRow(db, run.id)).toMatchObject({ status: "succeeded", step: 4, totalSteps: 4, error: null });
    expect(tf.memory().numTensors).toBe(tensorsBefore); // weights, optimizer moments, batches and the test scoring all released
    const evals = eventsOf(db, run.id).filter((e) => e.metrics?.val_loss !== undefined);
    expect(evals.map((e) => e.step)).toEqual([2, 4]);
    for (const e of evals) {
      expect(Object.keys(e.metrics!).sort()).toEqual(["grad_norm", "lr", ...VAL_SERIES]);
      expect(Number.isFinite(e.loss)).toBe(true);
    }
    const model = db.select().from(rewardModels).where(eq(rewardModels.runId, run.id)).get()!;
    expect(model).toMatchObject({ kind: "neural", projectId });
    expect(model.path).toMatch(/best\/step-[24]$/);
    expect([model.metrics!.pairs, model.metrics!.val_pairs, model.metrics!.trainPairs]).toEqual([4, 8, 28]); // test, validation, training: 10%, 20%, the rest of 40 prompts
    expect(model.metrics!.val_loss).toBe(Math.min(...evals.map((e) => e.metrics!.val_loss!)));
    const test = eventsOf(db, run.id).at(-1)!;
    expect(test).toMatchObject({ step: 4, message: "test split: 4 pairs on prompts never trained or selected on" });
    expect(test.metrics).toMatchObject({ test_loss: model.metrics!.loss, test_accuracy: model.metrics!.accuracy });
    const saved = JSON.parse(readFileSync(path.join(model.path, "config.json"), "utf8"));
    expect(saved).toMatchObject({ architectures: ["GPT2ForSequenceClassification"], num_labels: 1, preflab_reward_mean: model.rewardMean });
    expect(weightsAt(model.path)[SCORE_WEIGHT]!.shape).toEqual([1, 16]);
    expect(existsSync(path.join(model.path, "tokenizer.json"))).toBe(true);
  });

  it("resumed from its checkpoint after the worker stopped, ends with exactly the model and metrics of an uninterrupted run", async () => {
    const { db, dir } = createTestDb();
    const runsRoot = path.join(dir, "runs"); // per test: run ids restart at 1 in every database
    const projectId = await importRows(db, "planted", plantedRows(40));
    const straight = queueRewardRun(db, projectId, { ...config, maxSteps: 4 });
    await runOnce(db, { runsRoot, executors });
    const interrupted = queueRewardRun(db, projectId, { ...config, maxSteps: 4 });
    // The worker stops at its first look after the step-2 checkpoint is recorded: the run goes back to the queue there.
    await runOnce(db, { runsRoot, executors, shouldStop: () => runRow(db, interrupted.id).lastCheckpoint !== null });
    const checkpoint = runRow(db, interrupted.id).lastCheckpoint!;
    expect(runRow(db, interrupted.id)).toMatchObject({ status: "queued", step: 2 });
    expect(checkpoint).toMatch(/checkpoints\/step-2$/);
    await runOnce(db, { runsRoot, executors });
    expect(runRow(db, interrupted.id)).toMatchObject({ status: "succeeded", step: 4, attempts: 2 });
    expect(eventsOf(db, interrupted.id).map((e) => e.step)).toEqual([0, 1, 2, 2, 2, 3, 4, 4]); // the stop and the restart are logged at step 2
    const [resumed, expected] = [interrupted, straight].map((r) => db.select().from(rewardModels).where(eq(rewardModels.runId, r.id)).get()!);
    expect(expected!.path).toMatch(/best\/step-4$/); // the model kept was trained after the interruption
    expect(path.relative(path.join(runsRoot, String(interrupted.id)), resumed!.path)).toBe(path.relative(path.join(runsRoot, String(straight.id)), expected!.path));
    expect(resumed!.metrics).toEqual(expected!.metrics);
    const [a, b] = [weightsAt(resumed!.path), weightsAt(expected!.path)];
    for (const name of Object.keys(b)) expect([name, ...a[name]!.data]).toEqual([name, ...b[name]!.data]);
    const stepLosses = (id: number) => eventsOf(db, id).filter((e) => e.loss !== null).map((e) => [e.step, e.loss]);
    expect(stepLosses(interrupted.id)).toEqual(stepLosses(straight.id));
  });

  it("learns the planted preference: test accuracy well above chance, and it is the test split's", async () => {
    const { db, dir } = createTestDb();
    const projectId = await importRows(db, "planted", plantedRows(LEARN_PROMPTS));
    const learn = { ...LEARN_CONFIG, base: backbone };
    const run = queueRewardRun(db, projectId, learn);
    await runOnce(db, { runsRoot: path.join(dir, "runs"), executors });
    expect(runRow(db, run.id)).toMatchObject({ status: "succeeded", error: null });
    const model = db.select().from(rewardModels).where(eq(rewardModels.runId, run.id)).get()!;
    const m = model.metrics!;
    expect(m.pairs).toBeGreaterThanOrEqual(20);
    expect(m.accuracy).toBeGreaterThanOrEqual(0.8);
    // Scored again through the public scorer: the reported numbers are the test pairs', the val_* ones the validation pairs'.
    const data = loadRewardData(db, projectId, parseRewardConfig(learn));
    const scorer = await loadRewardScorer(db, String(model.id));
    try {
      const rescore = (pairs: typeof data.test) => {
        const scores = scorer.score([...pairs.map((p) => ({ prompt: p.prompt, completion: p.chosen })), ...pairs.map((p) => ({ prompt: p.prompt, completion: p.rejected }))]);
        return rewardMetrics({ chosen: scores.slice(0, pairs.length), rejected: scores.slice(pairs.length) });
      };
      const [test, validation] = [rescore(data.test), rescore(data.validation)];
      expect([m.pairs, m.accuracy, m.loss]).toEqual([test.pairs, test.accuracy, test.loss]);
      expect([m.val_pairs, m.val_accuracy, m.val_loss]).toEqual([validation.pairs, validation.accuracy, validation.loss]);
    } finally {
      scorer.dispose();
    }
  }, 120_000);

  it("fails fast when the backbone has no tokenizer", async () => {
    const { db, dir } = createTestDb();
    const runsRoot = path.join(dir, "runs"); // per test: run ids restart at 1 in every database
    const projectId = await importRows(db, "planted", plantedRows(20));
    const broken = saveTinyBackbone();
    rmSync(path.join(broken, "tokenizer.json"));
    const run = queueRewardRun(db, projectId, { ...config, base: broken });
    await runOnce(db, { runsRoot, executors });
    expect(runRow(db, run.id)).toMatchObject({
      status: "failed",
      error: `cannot load the reward model's backbone: ${path.join(broken, "tokenizer.json")}: is missing`,
    });
  });
});
