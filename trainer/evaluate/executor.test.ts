import path from "node:path";
import { eq, like } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { heldOutPromptIds } from "../../core/evaluation-prompts";
import { policyForDirectory } from "../../core/policy-versions";
import { evaluations, policies, prompts, runArtifacts, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { initBackend } from "../backend";
import { rewardExecutor } from "../reward/executor";
import { importRows, plantedRows, queueRewardRun, saveTinyBackbone } from "../reward/executor-fixtures";
import { runOnce } from "../worker/worker-loop";
import { evaluateExecutor } from "./executor";
import { alignmentAccuracy, perPromptMeans } from "./metrics";

const executors = { reward: rewardExecutor, evaluate: evaluateExecutor };

/** A project with judged pairs, a linear reward model, three tiny policies (a base and two children) and 5 unlabelled prompts. */
beforeAll(async () => {
  await initBackend(); // the tiny checkpoints' random weights are made with tfjs
});

async function setup() {
  const { db, dir } = createTestDb();
  const projectId = await importRows(db, "eval", plantedRows(40));
  queueRewardRun(db, projectId, { kind: "linear", hashBits: 12 });
  await runOnce(db, { runsRoot: path.join(dir, "runs"), executors });
  const [base, a, b] = [1, 2, 3].map((seed) => policyForDirectory(db, saveTinyBackbone(seed)));
  for (const child of [a!, b!]) db.update(policies).set({ parentId: base!.id, name: base!.name, version: child.id }).where(eq(policies.id, child.id)).run();
  await importRows(db, "eval", Array.from({ length: 5 }, (_, i) => ({ prompt: `held out ${i}:` })), "prompts");
  return { db, dir, projectId, base: base!, a: a!, b: b! };
}

describe("the evaluate executor", () => {
  it("compares two policies with the root of their lineage on the held-out prompts: alignment accuracy, mean reward, KL and samples", async () => {
    const { db, dir, projectId, base, a, b } = await setup();
    const run = db.insert(trainingRuns).values({ kind: "evaluate", projectId, config: { policyIds: [a.id, b.id, base.id], maxNewTokens: 6, samplesPerPrompt: 2 } }).returning().get();
    await runOnce(db, { runsRoot: path.join(dir, "runs"), executors });
    expect(db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()).toMatchObject({ status: "succeeded", error: null });
    const rows = db.select().from(evaluations).where(eq(evaluations.runId, run.id)).all();
    expect(rows.map((r) => [r.policyId, r.basePolicyId, r.rewardModelId])).toEqual([[a.id, base.id, 1], [b.id, base.id, 1], [base.id, base.id, 1]]);
    const heldOut = db.select({ id: prompts.id }).from(prompts).where(eq(prompts.projectId, projectId)).all().slice(-5).map((p) => p.id);
    for (const row of rows) {
      expect(row.promptIds).toEqual(heldOut);
      expect(row.metrics).toMatchObject({ prompts: 5, samplesPerPrompt: 2 });
      expect(row.metrics.alignmentAccuracy).toBeGreaterThanOrEqual(0);
      expect(row.metrics.alignmentAccuracy).toBeLessThanOrEqual(1);
      expect(Number.isFinite(row.metrics.meanReward)).toBe(true);
      expect(row.samples).toHaveLength(5);
      expect(row.samples[0]).toMatchObject({ promptId: heldOut[0], prompt: "held out 0:" });
    }
    // Different random weights are far from the base; the base against itself is at exactly 0 nats and a coin flip.
    expect(rows[0]!.metrics.klToBase).toBeGreaterThan(0.01);
    expect(rows[1]!.metrics.klToBase).toBeGreaterThan(0.01);
    expect(rows[2]!.metrics.klToBase).toBeCloseTo(0, 4);
    expect(rows[2]!.metrics).toMatchObject({ alignmentAccuracy: 0.5, meanReward: rows[2]!.metrics.baseMeanReward });
    const artifact = db.select().from(runArtifacts).where(eq(runArtifacts.runId, run.id)).get()!;
    expect(artifact).toMatchObject({ kind: "samples", metadata: { evaluationIds: rows.map((r) => r.id), basePolicyId: base.id } });
  }, 120_000);

  it("fails with a clear message when no prompt is held out, or a prompt id is not the project's", async () => {
    const { db, dir, projectId, a, base } = await setup();
    expect(heldOutPromptIds(db, projectId, [a.id, base.id])).toHaveLength(5);
    db.delete(prompts).where(like(prompts.text, "held out %")).run();
    const runs = [{ policyIds: [a.id] }, { policyIds: [a.id], prompts: [999] }].map((config) => db.insert(trainingRuns).values({ kind: "evaluate", projectId, config }).returning().get());
    for (const _ of runs) await runOnce(db, { runsRoot: path.join(dir, "runs"), executors });
    expect(runs.map((r) => db.select().from(trainingRuns).where(eq(trainingRuns.id, r.id)).get()!.error)).toEqual([
      `project ${projectId} has no held-out prompts (every prompt was judged before these policies were trained): import unlabelled prompts or evaluate on "all"`,
      `prompt ids 999 are not prompts of project ${projectId}`,
    ]);
  }, 60_000);
});

describe("evaluation metrics", () => {
  it("averages each prompt's samples, then counts prompts won, ties as half", () => {
    expect(perPromptMeans([1, 3, 0, 0, 5, 5], 2)).toEqual([2, 0, 5]);
    expect(alignmentAccuracy([2, 0, 5], [1, 1, 5])).toBeCloseTo(1.5 / 3, 12);
  });
});
