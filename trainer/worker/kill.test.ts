import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { policyForDirectory } from "../../core/policy-versions";
import type { Db } from "../../db/client";
import { policies, runEvents, trainingRuns } from "../../db/schema";
import { createTestDb, waitFor } from "../../db/testing";
import { queueRun } from "../../server/services/runs";
import { initBackend } from "../backend";
import { loadCheckpoint } from "../checkpoint/tfjs";
import { importRows, plantedRows, saveTinyBackbone } from "../reward/executor-fixtures";

/** `preflab worker` as its own process on the test database (the real entry point, not a function call). */
function startWorker(dbFile: string, runsRoot: string): ChildProcess {
  return spawn(process.execPath, ["bin/preflab.mjs", "worker"], { env: { ...process.env, PREFLAB_DB: dbFile, PREFLAB_RUNS_DIR: runsRoot }, stdio: "ignore" });
}

// A real worker process trains on a busy 2-core machine: minutes, not seconds.
const WORKER_LIMIT_MS = 180_000;

const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", resolve)));
const runRow = (db: Db, id: number) => db.select().from(trainingRuns).where(eq(trainingRuns.id, id)).get()!;
const finalWeights = (db: Db, runId: number) => {
  const dir = db.select().from(policies).where(eq(policies.runId, runId)).get()!.path!;
  return Array.from(loadCheckpoint(dir).params["transformer.h.1.mlp.c_fc.weight"]!.dataSync());
};

describe("a worker killed with SIGKILL in the middle of a DPO run", () => {
  it("leaves a run the next worker resumes from its last checkpoint, finishing with the weights of an uninterrupted run and every step logged once", async () => {
    await initBackend("cpu"); // for the fixture's tiny checkpoint; the workers pick their own backend
    const { db, file, dir } = createTestDb();
    const runsRoot = path.join(dir, "runs");
    const projectId = await importRows(db, "planted", plantedRows(30));
    const base = policyForDirectory(db, saveTinyBackbone(7));
    const config = { policyId: base.id, epochs: 8, batchSize: 4, learningRate: 5e-3, evalInterval: 0, checkpointEvery: 4, progressEvery: 1, evaluation: { prompts: 0 } };
    const killed = queueRun(db, { kind: "dpo", projectId, createdBy: null, origin: "cli", config });

    const first = startWorker(file, runsRoot);
    // Past a checkpoint and a few steps beyond it: those steps must be redone, not skipped or doubled.
    const atKill = await waitFor(() => runRow(db, killed.id), (r) => r.lastCheckpoint !== null && r.step >= 6 && r.step % 4 !== 0, WORKER_LIMIT_MS);
    first.kill("SIGKILL");
    await exited(first);
    expect(runRow(db, killed.id).status).toBe("running"); // nobody told the database: the process just vanished

    const second = startWorker(file, runsRoot);
    const done = await waitFor(() => runRow(db, killed.id), (r) => r.status !== "running" && r.status !== "queued", WORKER_LIMIT_MS);
    expect(done, done.error ?? "").toMatchObject({ status: "succeeded", attempts: 2 });
    const events = db.select().from(runEvents).where(eq(runEvents.runId, killed.id)).all();
    const checkpointStep = Number(/step-(\d+)$/.exec(atKill.lastCheckpoint!)![1]);
    expect(events.map((e) => e.message)).toContain(`The worker stopped unexpectedly; resuming from its checkpoint at step ${checkpointStep}.`);
    const steps = events.filter((e) => e.loss !== null).map((e) => e.step);
    expect(steps).toEqual(Array.from({ length: done.totalSteps! }, (_, i) => i + 1));

    // The same run without interruption, by the same worker process.
    const whole = queueRun(db, { kind: "dpo", projectId, createdBy: null, origin: "cli", config });
    await waitFor(() => runRow(db, whole.id), (r) => r.status === "succeeded" || r.status === "failed", WORKER_LIMIT_MS);
    second.kill("SIGTERM");
    await exited(second);
    expect(finalWeights(db, killed.id)).toEqual(finalWeights(db, whole.id));
  }, 400_000);
});
