import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createTestDb } from "../../db/testing";
import { rewardModels, runArtifacts, runEvents, trainingRuns } from "../../db/schema";
import { runOnce } from "../worker/worker-loop";
import { rewardExecutor } from "./executor";
import { importRows, MARKER, plantedRows, queueRewardRun } from "./executor-fixtures";
import { LinearRewardModel } from "./linear";
import { readFileSync } from "node:fs";
import path from "node:path";
import { LINEAR_MODEL_FILE } from "./train-linear";

const executors = { reward: rewardExecutor };
const runRow = (db: ReturnType<typeof createTestDb>["db"], id: number) => db.select().from(trainingRuns).where(eq(trainingRuns.id, id)).get()!;

describe("the linear reward executor", () => {
  it("learns a planted preference to > 95% test accuracy and records the model with its test and validation metrics", async () => {
    const { db, dir } = createTestDb();
    const projectId = await importRows(db, "planted", plantedRows(200));
    const run = queueRewardRun(db, projectId, { kind: "linear", validationFraction: 0.2, testFraction: 0.3, hashBits: 14 });
    await runOnce(db, { runsRoot: path.join(dir, "runs"), executors });
    expect(runRow(db, run.id)).toMatchObject({ status: "succeeded", error: null });
    const model = db.select().from(rewardModels).where(eq(rewardModels.runId, run.id)).get()!;
    expect(model).toMatchObject({ projectId, kind: "linear", name: `reward-${run.id}` });
    expect(model.metrics!.accuracy).toBeGreaterThan(0.95);
    expect([model.metrics!.pairs, model.metrics!.val_pairs, model.metrics!.trainPairs]).toEqual([60, 40, 100]); // 30% and 20% of 200 prompts, one pair each
    const saved = LinearRewardModel.fromJSON(JSON.parse(readFileSync(path.join(model.path, LINEAR_MODEL_FILE), "utf8")));
    expect(saved.score("", `a ${MARKER} film`)).toBeGreaterThan(saved.score("", "a good film"));
    const artifact = db.select().from(runArtifacts).where(eq(runArtifacts.runId, run.id)).get()!;
    expect(artifact).toMatchObject({ kind: "reward_model", path: model.path });
    const events = db.select().from(runEvents).where(eq(runEvents.runId, run.id)).all();
    expect(events.at(-1)!.metrics).toMatchObject({ test_accuracy: model.metrics!.accuracy, test_loss: model.metrics!.loss, val_accuracy: model.metrics!.val_accuracy });
  });

  it("fails fast with a clear message when the project has no judgements", async () => {
    const { db, dir } = createTestDb();
    const projectId = await importRows(db, "prompts only", [{ prompt: "hello" }, { prompt: "again" }], "prompts");
    const run = queueRewardRun(db, projectId, { kind: "linear" });
    await runOnce(db, { runsRoot: path.join(dir, "runs"), executors });
    expect(runRow(db, run.id)).toMatchObject({ status: "failed", error: expect.stringContaining("no judgements") });
  });

  it("fails fast when there are too few judgements, naming the counts", async () => {
    const { db, dir } = createTestDb();
    const projectId = await importRows(db, "tiny", plantedRows(5));
    const run = queueRewardRun(db, projectId, { kind: "linear" });
    await runOnce(db, { runsRoot: path.join(dir, "runs"), executors });
    expect(runRow(db, run.id).error).toBe("not enough judgements: 5 preferred, 0 tie, 0 both-bad; a reward model needs at least 10 preferred pairs");
  });

  it("fails fast when the prompts are too few to give a test side", async () => {
    const { db, dir } = createTestDb();
    const rows = plantedRows(12).map((r, i) => ({ ...r, prompt: `review ${i % 2}:` })); // 12 pairs, 2 prompts
    const projectId = await importRows(db, "two prompts", rows);
    const run = queueRewardRun(db, projectId, { kind: "linear" });
    await runOnce(db, { runsRoot: path.join(dir, "runs"), executors });
    expect(runRow(db, run.id).error).toBe("the test split has no decided pairs (12 pairs over too few prompts): label pairs for more prompts");
  });

  it("rejects an invalid config by field name", async () => {
    const { db, dir } = createTestDb();
    const projectId = await importRows(db, "planted", plantedRows(20));
    const run = queueRewardRun(db, projectId, { kind: "linear", learningRat: 1 });
    await runOnce(db, { runsRoot: path.join(dir, "runs"), executors });
    expect(runRow(db, run.id).error).toContain("learningRat");
  });
});
