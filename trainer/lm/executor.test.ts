import { existsSync, mkdtempSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { policies, runArtifacts, runEvents, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { initBackend } from "../backend";
import { loadCheckpoint } from "../checkpoint/tfjs";
import { languageModelExecutor } from "./executor";
import { runOnce } from "../worker/worker-loop";

const texts = ["a fine film with a fine cast", "the plot is thin but the film is fun", "not a good movie at all", "a warm and funny film"];
const baseConfig = {
  data: { texts },
  model: { nLayer: 1, nEmbd: 16, nHead: 2, context: 16, vocabSize: 300 },
  train: { batchSize: 2, blockSize: 8, maxSteps: 6, learningRate: 1e-2, warmupSteps: 1, evalInterval: 0, seed: 5 },
  checkpointEvery: 3,
  progressEvery: 1,
};
const executors = { pretrain: languageModelExecutor };

function finalWeights(dir: string): number[] {
  const c = loadCheckpoint(dir);
  const out = Array.from(c.params["transformer.h.0.attn.c_attn.weight"].dataSync());
  tf.dispose(Object.values(c.params));
  return out;
}

describe("language-model runs in the worker", () => {
  // auto trains on ONNX Runtime here (the step graph builds for GPT-2); cpu is TensorFlow.js's.
  for (const [engine, backend] of [["auto", `onnxruntime cpu (threads=${availableParallelism()})`], ["cpu", "cpu"]] as const) {
    it(`engine ${engine}: trains (on ${backend}), reports progress, checkpoints, and a run whose worker stopped mid-way resumes to identical weights`, async () => {
      await initBackend("cpu");
      const config = { ...baseConfig, engine };
      const { db } = createTestDb();
      const runsRoot = mkdtempSync(join(tmpdir(), "preflab-runs-"));
      const run = db.insert(trainingRuns).values({ kind: "pretrain", config }).returning().get();
      expect(await runOnce(db, { runsRoot, executors })).toBe(true);
      const done = db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()!;
      expect(done).toMatchObject({ status: "succeeded", step: 6, totalSteps: 6, backend });
      const losses = db.select().from(runEvents).where(eq(runEvents.runId, run.id)).all().filter((e) => e.loss !== null);
      expect(losses.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(losses[5].loss!).toBeLessThan(losses[0].loss!);
      const uninterrupted = finalWeights(join(runsRoot, String(run.id), "final"));

      // The same run again, its worker stopped right after the step-3 checkpoint: the next attempt resumes there.
      const again = db.insert(trainingRuns).values({ kind: "pretrain", config }).returning().get();
      const checkpointed = () => db.select().from(trainingRuns).where(eq(trainingRuns.id, again.id)).get()!.lastCheckpoint !== null;
      expect(await runOnce(db, { runsRoot, executors, shouldStop: checkpointed })).toBe(true);
      expect(db.select().from(trainingRuns).where(eq(trainingRuns.id, again.id)).get()).toMatchObject({ status: "queued", step: 3 });
      expect(await runOnce(db, { runsRoot, executors })).toBe(true);
      const resumed = db.select().from(trainingRuns).where(eq(trainingRuns.id, again.id)).get()!;
      expect(resumed).toMatchObject({ status: "succeeded", attempts: 2, step: 6 });
      const events = db.select().from(runEvents).where(eq(runEvents.runId, again.id)).all();
      expect(events.map((e) => e.message)).toContain("The worker was stopped; resuming from its checkpoint at step 3.");
      expect(events.filter((e) => e.loss !== null).map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(finalWeights(join(runsRoot, String(again.id), "final"))).toEqual(uninterrupted);
      expect(existsSync(join(runsRoot, String(again.id), "checkpoints"))).toBe(false); // deleted once the run succeeded
      const artifacts = db.select().from(runArtifacts).where(eq(runArtifacts.runId, run.id)).all();
      expect(artifacts.some((a) => a.kind === "checkpoint" && a.metadata?.final === true)).toBe(true);

      // The resumed run registered one policy version, however many attempts it took.
      expect(db.select().from(policies).where(eq(policies.runId, again.id)).all()).toHaveLength(1);
      const base = db.select().from(policies).where(eq(policies.runId, run.id)).all();
      expect(base).toEqual([expect.objectContaining({ kind: "checkpoint", path: join(runsRoot, String(run.id), "final"), version: 1 })]);
      // Continued pretraining from that policy yields version 2 with it as parent.
      const sftConfig = { ...config, train: { ...config.train, maxSteps: 2 }, threads: 2 }; // and on two threads
      const sft = db.insert(trainingRuns).values({ kind: "pretrain", basePolicyId: base[0]!.id, config: sftConfig }).returning().get();
      await runOnce(db, { runsRoot, executors });
      expect(db.select().from(trainingRuns).where(eq(trainingRuns.id, sft.id)).get()).toMatchObject({ status: "succeeded" });
      expect(db.select().from(policies).where(eq(policies.runId, sft.id)).get()).toMatchObject({ version: 2, parentId: base[0]!.id, name: base[0]!.name });
    });
  }

  it("honours a cancellation request before its next step and frees its tensors", async () => {
    await initBackend("cpu");
    const { db } = createTestDb();
    const run = db.insert(trainingRuns).values({ kind: "pretrain", config: baseConfig, cancelRequested: true }).returning().get();
    const before = tf.memory().numTensors;
    await runOnce(db, { runsRoot: mkdtempSync(join(tmpdir(), "preflab-runs-")), executors });
    expect(db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()).toMatchObject({ status: "cancelled", step: 0 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("fails with a readable error for a bad config", async () => {
    const { db } = createTestDb();
    const run = db.insert(trainingRuns).values({ kind: "pretrain", config: { data: {} } }).returning().get();
    await runOnce(db, { runsRoot: tmpdir(), executors });
    const row = db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()!;
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/give data.file or data.texts/);
  });
});
