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
import { rewardExecutor } from "./executor";
import { importRows, plantedRows, queueRewardRun, saveTinyBackbone } from "./executor-fixtures";
import { SCORE_WEIGHT } from "./head";

type Db = ReturnType<typeof createTestDb>["db"];
const executors = { reward: rewardExecutor };
const runRow = (db: Db, id: number) => db.select().from(trainingRuns).where(eq(trainingRuns.id, id)).get()!;
const eventsOf = (db: Db, id: number) => db.select().from(runEvents).where(eq(runEvents.runId, id)).all();
const weightsAt = (dir: string) => readSafetensors(readFileSync(path.join(dir, "model.safetensors"))).tensors;

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
    expect(tf.memory().numTensors).toBe(tensorsBefore); // weights, optimizer moments and batches all released
    const evals = eventsOf(db, run.id).filter((e) => e.metrics);
    expect(evals.map((e) => e.step)).toEqual([2, 4]);
    for (const e of evals) {
      expect(Object.keys(e.metrics!).sort()).toEqual(["reward_mean", "reward_std", "val_accuracy", "val_ece", "val_loss", "val_mean_margin"]);
      expect(Number.isFinite(e.loss)).toBe(true);
    }
    const model = db.select().from(rewardModels).where(eq(rewardModels.runId, run.id)).get()!;
    expect(model).toMatchObject({ kind: "neural", projectId });
    expect(model.metrics!.pairs).toBe(8);
    expect(model.metrics!.loss).toBe(Math.min(...evals.map((e) => e.metrics!.val_loss!)));
    const saved = JSON.parse(readFileSync(path.join(model.path, "config.json"), "utf8"));
    expect(saved).toMatchObject({ architectures: ["GPT2ForSequenceClassification"], num_labels: 1, preflab_reward_mean: model.rewardMean });
    expect(weightsAt(model.path)[SCORE_WEIGHT]!.shape).toEqual([1, 16]);
    expect(existsSync(path.join(model.path, "tokenizer.json"))).toBe(true);
  });

  it("resumes from its checkpoint to exactly the weights of an uninterrupted run", async () => {
    const { db, dir } = createTestDb();
    const runsRoot = path.join(dir, "runs"); // per test: run ids restart at 1 in every database
    const projectId = await importRows(db, "planted", plantedRows(40));
    const straight = queueRewardRun(db, projectId, { ...config, maxSteps: 4 });
    await runOnce(db, { runsRoot, executors });
    const interrupted = queueRewardRun(db, projectId, { ...config, maxSteps: 2 });
    await runOnce(db, { runsRoot, executors });
    // As if the worker had died after step 2: queued again, with its checkpoint, for 4 steps.
    const checkpoint = runRow(db, interrupted.id).lastCheckpoint!;
    db.update(trainingRuns).set({ status: "queued", config: { ...config, maxSteps: 4 } }).where(eq(trainingRuns.id, interrupted.id)).run();
    await runOnce(db, { runsRoot, executors });
    expect(runRow(db, interrupted.id)).toMatchObject({ status: "succeeded", step: 4, attempts: 2 });
    expect(eventsOf(db, interrupted.id).map((e) => e.step)).toEqual([0, 1, 2, 2, 3, 4]);
    const resumed = weightsAt(runRow(db, interrupted.id).lastCheckpoint!);
    const expected = weightsAt(runRow(db, straight.id).lastCheckpoint!);
    for (const name of Object.keys(expected)) expect([name, ...resumed[name]!.data]).toEqual([name, ...expected[name]!.data]);
    expect(existsSync(checkpoint)).toBe(false); // only the newest checkpoint is kept
  });

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
