import path from "node:path";
import { eq, gt, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { policyForDirectory } from "../../core/policy-versions";
import { completions, policies, tasks, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { queueRun } from "../../server/services/runs";
import { initBackend } from "../backend";
import { loadCheckpoint } from "../checkpoint/tfjs";
import { computeLogprobs } from "../logprobs";
import { loadLanguageModel } from "../language-model";
import { importRows, plantedRows, saveTinyBackbone } from "../reward/executor-fixtures";
import { runOnce } from "../worker/worker-loop";
import type { RunKind } from "../../db/enums";

/** One tiny policy and the planted-preference project, shared by the runs of a test. */
async function plantedProject() {
  await initBackend("cpu");
  const { db, dir } = createTestDb();
  const projectId = await importRows(db, "planted", plantedRows(30));
  const base = policyForDirectory(db, saveTinyBackbone(5));
  const runsRoot = path.join(dir, "runs");
  const train = async (kind: RunKind, config: Record<string, unknown>) => {
    const run = queueRun(db, { kind, projectId, createdBy: null, origin: "cli", config: { policyId: base.id, batchSize: 6, evalInterval: 0, checkpointEvery: 0, evaluation: { prompts: 2, maxNewTokens: 4 }, ...config } });
    await runOnce(db, { runsRoot });
    const row = db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()!;
    expect(row, row.error ?? "").toMatchObject({ status: "succeeded" });
    return db.select().from(policies).where(eq(policies.runId, run.id)).get()!;
  };
  return { db, base, train };
}

const weights = (dir: string) => Array.from(loadCheckpoint(dir).params["transformer.h.0.attn.c_attn.weight"]!.dataSync());
const chosenLogprob = (dir: string) =>
  computeLogprobs(loadLanguageModel(dir), plantedRows(30).map((r) => ({ prompt: r.prompt, completion: r.chosen }))).reduce((s, r) => s + r.total, 0);

describe("the preference family on one project", () => {
  it("listwise DPO on rankings of two trains exactly as sigmoid DPO on the same pairs", async () => {
    const { base, train } = await plantedProject();
    const config = { epochs: 1, learningRate: 1e-2, beta: 0.3 };
    const pairwise = await train("dpo", config);
    const listwise = await train("dpo", { ...config, lossType: "listwise" });
    const [a, b, start] = [weights(pairwise.path!), weights(listwise.path!), weights(base.path!)];
    expect(Math.max(...a.map((v, i) => Math.abs(v - start[i]!)))).toBeGreaterThan(1e-3); // it did train
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThan(1e-5);
  }, 240_000);

  it("KTO, SFT on chosen answers and reference-free SimPO each register a version that likes the chosen answers more", async () => {
    const { base, train } = await plantedProject();
    const before = chosenLogprob(base.path!);
    for (const [kind, config] of [["kto", { epochs: 2, learningRate: 1e-2, beta: 0.3 }], ["sft", { epochs: 2, learningRate: 1e-2, sources: ["chosen"] }], ["simpo", { epochs: 2, learningRate: 1e-2 }]] as const) {
      const policy = await train(kind, config);
      expect(policy, kind).toMatchObject({ parentId: base.id, kind: "checkpoint" });
      expect(chosenLogprob(policy.path!), kind).toBeGreaterThan(before);
      const metrics = (policy.evaluation as { metrics: Record<string, number> }).metrics;
      expect(metrics.test_loss, kind).toBeTypeOf("number");
    }
  }, 240_000);

  it("a policy run with sampleAfter queues a sample round whose tasks pit the new version against its parent", async () => {
    const { db, base, train } = await plantedProject();
    const policy = await train("sft", { epochs: 1, learningRate: 1e-2, sources: ["chosen"], sampleAfter: { maxPrompts: 3, maxNewTokens: 4, prompts: "all" } });
    const sample = db.select().from(trainingRuns).where(eq(trainingRuns.kind, "sample")).get()!;
    expect(sample).toMatchObject({ status: "queued", config: expect.objectContaining({ policyIds: [policy.id, base.id], maxPrompts: 3 }) });
    await runOnce(db, { runsRoot: path.join(path.dirname(db.$client.name), "runs") });
    expect(db.select().from(trainingRuns).where(eq(trainingRuns.id, sample.id)).get(), "sample run").toMatchObject({ status: "succeeded" });
    const created = db.select().from(tasks).where(gt(tasks.priority, 0)).all();
    expect(created).toHaveLength(3);
    for (const task of created) {
      const shown = db.select().from(completions).where(inArray(completions.id, task.completionIds)).all();
      expect(shown.map((c) => c.policyId).sort()).toEqual([base.id, policy.id].sort());
    }
  }, 240_000);
});
