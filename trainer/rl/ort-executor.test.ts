// PPO and GRPO runs through the worker with engine "onnx" against the same run with engine "cpu":
// the first rollout is sampled from identical weights with the same seed, so the first
// iteration's loss (the mean over its minibatches) must agree to fp32 precision; later rollouts
// may sample other tokens. The ORT run is then stopped after its first checkpoint and resumed:
// weights, value head, moments and β come back, so it ends on the uninterrupted run's weights.
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { policyForDirectory } from "../../core/policy-versions";
import { policies } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { queueRun } from "../../server/services/runs";
import { initBackend } from "../backend";
import { policyWeights, runOf, stepLosses } from "../dpo/ort-runs.fixtures";
import { importRows, plantedRows, saveTinyBackbone } from "../reward/executor-fixtures";
import { runOnce } from "../worker/worker-loop";
import type { RlAlgorithm } from "./config";
import { registerScoringFunction } from "./scores";
import { vowelShare } from "./scores.fixtures";

// A dense score: with all-equal scores GRPO's advantages are 0 and its first step's gradient (the
// k3 term at π = π_ref) is analytically 0, so Adam would turn each engine's rounding noise into ±lr steps.
registerScoringFunction("vowel-share", (items) => items.map((i) => vowelShare(i.completion)));

async function plantedRlRuns(kind: RlAlgorithm) {
  const { db, dir } = createTestDb();
  const projectId = await importRows(db, "planted", plantedRows(24));
  const base = policyForDirectory(db, saveTinyBackbone(11));
  const queue = (config: Record<string, unknown>) => queueRun(db, {
    kind, projectId, createdBy: null, origin: "cli",
    config: { policyId: base.id, scoringFunction: "vowel-share", batchSize: 2, samplesPerPrompt: 2, miniBatchSize: 3, updateEpochs: 2, maxNewTokens: 5, iterations: 4, learningRate: 1e-2, progressEvery: 1, evalInterval: 0, checkpointEvery: 2, evaluation: { prompts: 2, maxNewTokens: 4 }, ...config },
  });
  return { db, base, queue, runsRoot: path.join(dir, "runs") };
}

describe("online RL runs on ONNX Runtime in the worker", () => {
  for (const kind of ["ppo", "grpo"] as const) {
    it(`${kind}: finishes on onnxruntime, registers its policy, its first iteration's loss equals the cpu run's (< 1e-4), and resumes from a checkpoint to identical weights`, async () => {
      await initBackend("cpu");
      const { db, base, queue, runsRoot } = await plantedRlRuns(kind);
      expect(() => queue({ engine: "onnx", lora: { rank: 2 } })).toThrow(/ONNX Runtime trains RL updates with full fine-tuning only: LoRA adapters train on TensorFlow\.js[^]*at engine/); // refused at launch, naming the field
      const onnx = queue({ engine: "onnx" });
      const cpu = queue({ engine: "cpu" });
      await runOnce(db, { runsRoot });
      await runOnce(db, { runsRoot });
      expect(runOf(db, onnx.id)).toMatchObject({ status: "succeeded", error: null, step: 4, backend: expect.stringMatching(/^onnxruntime cpu \(threads=\d+\) · rollouts on ONNX Runtime$/) });
      expect(runOf(db, cpu.id)).toMatchObject({ status: "succeeded", backend: "cpu · rollouts on ONNX Runtime" });
      expect(db.select().from(policies).where(eq(policies.runId, onnx.id)).get()).toMatchObject({ parentId: base.id, kind: "checkpoint" });
      const [got, want] = [stepLosses(db, onnx.id), stepLosses(db, cpu.id)];
      expect(got).toHaveLength(4);
      expect(Math.abs(got[0]! - want[0]!), `${got[0]} vs ${want[0]}`).toBeLessThan(1e-4); // measured: PPO 7.5e-8, GRPO 1.9e-8
      const uninterrupted = policyWeights(db, onnx.id);

      const again = queue({ engine: "onnx" });
      await runOnce(db, { runsRoot, shouldStop: () => runOf(db, again.id).lastCheckpoint !== null });
      expect(runOf(db, again.id)).toMatchObject({ status: "queued", step: 2 });
      await runOnce(db, { runsRoot });
      expect(runOf(db, again.id)).toMatchObject({ status: "succeeded", attempts: 2, step: 4 });
      expect(stepLosses(db, again.id).slice(-2)).toEqual(got.slice(-2));
      expect(policyWeights(db, again.id)).toEqual(uninterrupted);
    }, 180_000);
  }
});
