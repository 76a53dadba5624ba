// The worker-level check of a policy kind trained on ONNX Runtime, shared by the DPO, KTO, listwise and RL tests:
// a planted project and a tiny GPT-2 policy, the same short run queued with engine "onnx" and
// engine "cpu" (4 steps, checkpoints every 2), their per-step losses compared, and the ORT run
// stopped after its first checkpoint and resumed to the uninterrupted run's weights.
import { availableParallelism } from "node:os";
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
import type { RlAlgorithm } from "../rl/config";
import { runOnce } from "../worker/worker-loop";

type Db = ReturnType<typeof createTestDb>["db"];
export const runOf = (db: Db, id: number) => db.select().from(trainingRuns).where(eq(trainingRuns.id, id)).get()!;
export const stepLosses = (db: Db, id: number) => db.select().from(runEvents).where(eq(runEvents.runId, id)).all().filter((e) => e.loss !== null).map((e) => e.loss!);

/** One weight tensor of a checkpoint (enough to tell two runs' weights apart). */
function checkpointWeights(dir: string): Float32Array {
  const c = loadCheckpoint(dir);
  const out = c.params["transformer.h.0.attn.c_attn.weight"]!.dataSync() as Float32Array;
  tf.dispose(Object.values(c.params));
  return out;
}

/** That tensor of the policy version a run registered. */
export function policyWeights(db: Db, runId: number): Float32Array {
  return checkpointWeights(db.select().from(policies).where(eq(policies.runId, runId)).get()!.path!);
}

/** A short offline run (DPO family, KTO): 4 steps, checkpoints every 2. */
export const OFFLINE_RUN = { batchSize: 4, maxSteps: 4, learningRate: 3e-3, beta: 0.5, progressEvery: 1, evalInterval: 2, checkpointEvery: 2, evaluation: { prompts: 0 } };

/**
 * A project of planted pairs, a tiny GPT-2 policy (its seed `backboneSeed`), and `queue(config)`: a
 * `kind` run on them, `defaults` under every config (a 4-step run checkpointing every 2).
 */
export async function plantedPolicyRuns(kind: "dpo" | "kto" | RlAlgorithm, defaults: Record<string, unknown> = OFFLINE_RUN, backboneSeed = 3) {
  const { db, dir } = createTestDb();
  const projectId = await importRows(db, "planted", plantedRows(24));
  const base = policyForDirectory(db, saveTinyBackbone(backboneSeed));
  const queue = (config: Record<string, unknown>) => queueRun(db, { kind, projectId, createdBy: null, origin: "cli", config: { policyId: base.id, ...defaults, ...config } });
  return { db, base, queue, runsRoot: path.join(dir, "runs") };
}

export type PlantedRuns = Awaited<ReturnType<typeof plantedPolicyRuns>>;

/** How the runs' losses compare: every step (offline losses), or the first only (online RL: later rollouts may sample other tokens). */
export interface RunComparison {
  label: string;
  /** Absolute bound on |Δloss|. */
  tolerance: number;
  steps: "every" | "first";
  /** What follows the engine on the run page (RL: "rollouts on ONNX Runtime"). */
  note?: string;
}

/**
 * The onnx run succeeds on onnxruntime, registers the next version, and its per-step losses equal
 * the cpu run's within `tolerance` (every step or the first); the onnx run stopped after its first
 * checkpoint and resumed ends on the same losses and weights. Returns the worst |Δloss| compared.
 */
export async function expectOrtRunLikeTfjs(fx: PlantedRuns, c: RunComparison): Promise<number> {
  const { db, base, queue, runsRoot } = fx;
  const onnx = queue({ engine: "onnx" });
  const cpu = queue({ engine: "cpu" });
  await runOnce(db, { runsRoot });
  await runOnce(db, { runsRoot });
  const note = c.note ? ` · ${c.note}` : "";
  expect(runOf(db, onnx.id)).toMatchObject({ status: "succeeded", error: null, step: 4, backend: `onnxruntime cpu (threads=${availableParallelism()})${note}` });
  expect(runOf(db, cpu.id)).toMatchObject({ status: "succeeded", backend: `cpu${note}` });
  expect(db.select().from(policies).where(eq(policies.runId, onnx.id)).get()).toMatchObject({ parentId: base.id, version: base.version + 1 });
  const [got, want] = [stepLosses(db, onnx.id), stepLosses(db, cpu.id)];
  expect(got).toHaveLength(4);
  const compared = c.steps === "every" ? got.length : 1;
  const worst = Math.max(...got.slice(0, compared).map((l, i) => Math.abs(l - want[i]!)));
  console.log(`${c.label} on ORT vs tfjs cpu: losses ${got.map((l) => l.toFixed(6)).join(", ")}; worst |Δloss| over ${c.steps} step ${worst.toExponential(2)}`);
  expect(worst).toBeLessThan(c.tolerance);
  const uninterrupted = policyWeights(db, onnx.id);
  expect(uninterrupted).not.toEqual(checkpointWeights(base.path!)); // it trained

  // The same ORT run, its worker stopped after the step-2 checkpoint, then resumed.
  const again = queue({ engine: "onnx" });
  await runOnce(db, { runsRoot, shouldStop: () => runOf(db, again.id).lastCheckpoint !== null });
  expect(runOf(db, again.id)).toMatchObject({ status: "queued", step: 2 });
  await runOnce(db, { runsRoot });
  expect(runOf(db, again.id)).toMatchObject({ status: "succeeded", attempts: 2, step: 4 });
  expect(stepLosses(db, again.id).slice(-2)).toEqual(got.slice(-2));
  expect(policyWeights(db, again.id)).toEqual(uninterrupted);
  return worst;
}
