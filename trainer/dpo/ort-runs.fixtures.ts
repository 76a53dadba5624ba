// The worker-level check of a policy kind trained on ONNX Runtime, shared by the DPO, KTO and listwise tests:
// a planted project and a tiny GPT-2 policy, the same short run queued with engine "onnx" and
// engine "cpu" (4 steps, checkpoints every 2), their per-step losses compared, and the ORT run
// stopped after its first checkpoint and resumed to the uninterrupted run's weights.
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { policyForDirectory } from "../../core/policy-versions";
import { policies, runEvents, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { queueRun } from "../../server/services/runs";
import { loadCheckpoint } from "../checkpoint/tfjs";
import { importRows, plantedRows, saveTinyBackbone } from "../reward/executor-fixtures";
import { runOnce } from "../worker/worker-loop";

type Db = ReturnType<typeof createTestDb>["db"];
export const runOf = (db: Db, id: number) => db.select().from(trainingRuns).where(eq(trainingRuns.id, id)).get()!;
export const stepLosses = (db: Db, id: number) => db.select().from(runEvents).where(eq(runEvents.runId, id)).all().filter((e) => e.loss !== null).map((e) => e.loss!);

/** One weight tensor of the policy version a run registered (enough to tell two runs' weights apart). */
export function policyWeights(db: Db, runId: number): Float32Array {
  const policy = db.select().from(policies).where(eq(policies.runId, runId)).get()!;
  const c = loadCheckpoint(policy.path!);
  const out = c.params["transformer.h.0.attn.c_attn.weight"]!.dataSync() as Float32Array;
  tf.dispose(Object.values(c.params));
  return out;
}

/** A project of planted pairs, a tiny GPT-2 policy, and `queue(config)`: a short `kind` run on them (`defaults` under every config: listwise's lossType). */
export async function plantedPolicyRuns(kind: "dpo" | "kto", defaults: Record<string, unknown> = {}) {
  const { db, dir } = createTestDb();
  const projectId = await importRows(db, "planted", plantedRows(24));
  const base = policyForDirectory(db, saveTinyBackbone(3));
  const queue = (config: Record<string, unknown>) =>
    queueRun(db, { kind, projectId, createdBy: null, origin: "cli", config: { policyId: base.id, batchSize: 4, maxSteps: 4, learningRate: 3e-3, beta: 0.5, progressEvery: 1, evalInterval: 2, checkpointEvery: 2, evaluation: { prompts: 0 }, ...defaults, ...config } });
  return { db, base, queue, runsRoot: path.join(dir, "runs") };
}

/**
 * The onnx run succeeds on onnxruntime, registers the next version, and its per-step losses equal
 * the cpu run's within `tolerance` (absolute); the resumed onnx run ends on the same weights.
 * Returns the worst |Δloss|.
 */
export async function expectOrtRunLikeTfjs(fx: Awaited<ReturnType<typeof plantedPolicyRuns>>, label: string, tolerance: number): Promise<number> {
  const { db, base, queue, runsRoot } = fx;
  const onnx = queue({ engine: "onnx" });
  const cpu = queue({ engine: "cpu" });
  await runOnce(db, { runsRoot });
  await runOnce(db, { runsRoot });
  expect(runOf(db, onnx.id)).toMatchObject({ status: "succeeded", error: null, step: 4, backend: expect.stringMatching(/^onnxruntime cpu \(threads=\d+\)$/) });
  expect(runOf(db, cpu.id)).toMatchObject({ status: "succeeded", backend: "cpu" });
  expect(db.select().from(policies).where(eq(policies.runId, onnx.id)).get()).toMatchObject({ parentId: base.id, version: base.version + 1 });
  const [got, want] = [stepLosses(db, onnx.id), stepLosses(db, cpu.id)];
  expect(got).toHaveLength(4);
  const worst = Math.max(...got.map((l, i) => Math.abs(l - want[i]!)));
  console.log(`${label} on ORT vs tfjs cpu: losses ${got.map((l) => l.toFixed(6)).join(", ")}; worst |Δloss| ${worst.toExponential(2)}`);
  expect(worst).toBeLessThan(tolerance);
  expect(got[3]).not.toBeCloseTo(got[0]!, 3); // it trained
  const uninterrupted = policyWeights(db, onnx.id);

  // The same ORT run, its worker stopped after the step-2 checkpoint, then resumed.
  const again = queue({ engine: "onnx" });
  await runOnce(db, { runsRoot, shouldStop: () => runOf(db, again.id).lastCheckpoint !== null });
  expect(runOf(db, again.id)).toMatchObject({ status: "queued", step: 2 });
  await runOnce(db, { runsRoot });
  expect(runOf(db, again.id)).toMatchObject({ status: "succeeded", attempts: 2, step: 4 });
  expect(policyWeights(db, again.id)).toEqual(uninterrupted);
  return worst;
}
