import os from "node:os";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { runEvents, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { openDatabase } from "../../db/client";
import { RunCancelled, type Executor } from "./run-context";
import { runOnce } from "./worker-loop";

function queue(db: ReturnType<typeof createTestDb>["db"], kind: "reward" = "reward") {
  return db.insert(trainingRuns).values({ kind, config: { steps: 3 } }).returning().get();
}

const runsRoot = os.tmpdir();
const statusOf = (db: ReturnType<typeof createTestDb>["db"], id: number) => db.select().from(trainingRuns).where(eq(trainingRuns.id, id)).get()!;

describe("the run worker", () => {
  it("executes a queued run, records its progress and checkpoints, and marks it succeeded", async () => {
    const { db } = createTestDb();
    const run = queue(db);
    const executor: Executor = async (ctx) => {
      ctx.info({ backend: "test", totalSteps: 3 });
      for (let step = 1; step <= 3; step++) ctx.progress({ step, loss: 1 / step, metrics: { accuracy: step / 3 } });
      ctx.checkpoint(`${ctx.runDir}/step-3`, 3);
    };
    expect(await runOnce(db, { runsRoot, executors: { reward: executor } })).toBe(true);
    const done = statusOf(db, run.id);
    expect(done).toMatchObject({ status: "succeeded", step: 3, totalSteps: 3, backend: "test", attempts: 1, lastCheckpoint: `${runsRoot}/${run.id}/step-3` });
    const events = db.select().from(runEvents).where(eq(runEvents.runId, run.id)).all();
    expect(events.map((e) => [e.step, e.loss])).toEqual([[1, 1], [2, 0.5], [3, 1 / 3]]);
    expect(await runOnce(db, { runsRoot, executors: { reward: executor } })).toBe(false);
  });

  it("marks a run failed with the executor's message, and refuses kinds it cannot run", async () => {
    const { db } = createTestDb();
    const failing = queue(db);
    // A run of a kind this build does not have (queued by a newer preflab on the same database).
    const unknown = db.$client.prepare("insert into training_runs (kind, config) values ('distill', '{}') returning id").get() as { id: number };
    const executors = { reward: async () => Promise.reject(new Error("tokenizer.json does not fit the vocabulary")) };
    await runOnce(db, { runsRoot, executors });
    await runOnce(db, { runsRoot, executors });
    expect(statusOf(db, failing.id)).toMatchObject({ status: "failed", error: "tokenizer.json does not fit the vocabulary" });
    expect(statusOf(db, unknown.id)).toMatchObject({ status: "failed", error: 'This preflab cannot run "distill" training yet.' });
  });

  it("stops a running run within a step when cancellation is requested from another connection", async () => {
    const { db, file } = createTestDb();
    const run = queue(db);
    const other = openDatabase(file);
    let steps = 0;
    const executor: Executor = async (ctx) => {
      for (;;) {
        steps++;
        if (steps === 3) other.update(trainingRuns).set({ cancelRequested: true }).where(eq(trainingRuns.id, run.id)).run();
        await new Promise((r) => setTimeout(r, 200));
        ctx.throwIfCancelled();
        if (steps > 50) throw new Error("cancellation was never seen");
      }
    };
    await runOnce(db, { runsRoot, executors: { reward: executor } });
    expect(statusOf(db, run.id).status).toBe("cancelled");
    expect(steps).toBeLessThanOrEqual(6);
    expect(new RunCancelled().message).toBe("cancelled by the user");
  });

  it("requeues a run whose worker died and resumes it from its last checkpoint", async () => {
    const { db } = createTestDb();
    const run = queue(db);
    // A worker that died: running, an old heartbeat, a pid that no longer exists.
    db.update(trainingRuns)
      .set({ status: "running", heartbeatAt: new Date(Date.now() - 120_000), workerPid: 2 ** 22 + 12345, lastCheckpoint: "/ckpt/step-40", step: 40, attempts: 1 })
      .where(eq(trainingRuns.id, run.id))
      .run();
    let resumedFrom: unknown = "not called";
    await runOnce(db, { runsRoot, executors: { reward: async (ctx) => void (resumedFrom = ctx.resumeFrom) } });
    expect(resumedFrom).toEqual({ dir: "/ckpt/step-40", step: 40 });
    expect(statusOf(db, run.id)).toMatchObject({ status: "succeeded", attempts: 2 });
    const messages = db.select().from(runEvents).where(eq(runEvents.runId, run.id)).all().map((e) => e.message);
    expect(messages).toContain("The worker stopped unexpectedly; resuming from its checkpoint at step 40.");
  });

  it("leaves a run alone while its worker process is alive, even through a long step", async () => {
    const { db } = createTestDb();
    const run = queue(db);
    db.update(trainingRuns).set({ status: "running", heartbeatAt: new Date(Date.now() - 120_000), workerPid: process.pid }).where(eq(trainingRuns.id, run.id)).run();
    expect(await runOnce(db, { runsRoot, executors: {} })).toBe(false);
    expect(statusOf(db, run.id).status).toBe("running");
  });
});
