import { mkdirSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { policyForDirectory } from "../../core/policy-versions";
import type { RlAlgorithm } from "./config";
import { policies, rewardModels, runEvents, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { queueRun } from "../../server/services/runs";
import { initBackend } from "../backend";
import { saveCheckpoint } from "../checkpoint/tfjs";
import { disposeNeuralRewardModel, loadNeuralRewardModel, saveNeuralRewardModel } from "../reward/train-neural-model";
import { disposeSetup, freshSetup } from "../train/setup";
import { openOnnxCheckpoint } from "../onnx/checkpoint";
import { generateFromIds } from "../onnx/generate";
import { importRows, plantedRows, saveTinyBackbone } from "../reward/executor-fixtures";
import { runOnce } from "../worker/worker-loop";
import { registerScoringFunction } from "./scores";
import { vowelShare } from "./scores.fixtures";

// The hidden preference: the share of vowels among an answer's letters.
registerScoringFunction("vowels", (items) => items.map((i) => vowelShare(i.completion)));

async function rlRun(kind: RlAlgorithm, config: Record<string, unknown>) {
  await initBackend("cpu");
  const { db, dir } = createTestDb();
  const projectId = await importRows(db, "planted", plantedRows(40));
  const base = policyForDirectory(db, saveTinyBackbone(11));
  const run = queueRun(db, {
    kind, projectId, createdBy: null, origin: "cli",
    config: { policyId: base.id, scoringFunction: "vowels", batchSize: 4, samplesPerPrompt: 4, updateEpochs: 2, maxNewTokens: 6, evalInterval: 0, checkpointEvery: 0, evaluation: { prompts: 2, maxNewTokens: 4 }, ...config },
  });
  await runOnce(db, { runsRoot: path.join(dir, "runs") });
  const row = db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()!;
  return { db, base, row, policy: db.select().from(policies).where(eq(policies.runId, run.id)).get() };
}

/** The hidden preference's mean over samples of a policy (4 per prompt, fixed seed), on ONNX Runtime. */
async function meanScore(dir: string): Promise<number> {
  const model = await openOnnxCheckpoint(dir, { intraOpNumThreads: 1 });
  const prompts = plantedRows(40).flatMap((r) => Array.from({ length: 4 }, () => model.tokenizer.encode(r.prompt)));
  const samples = await generateFromIds(model.lm, prompts, model.tokenizer, { temperature: 1, maxNewTokens: 6, seed: 99 });
  await model.lm.release();
  return samples.reduce((s, g) => s + vowelShare(g.text), 0) / samples.length;
}

describe("online RL from a score", () => {
  for (const [kind, config] of [
    ["ppo", { iterations: 10, learningRate: 1e-2, beta: 0.01, valueCoef: 0.5 }],
    ["grpo", { iterations: 10, learningRate: 1e-2, beta: 0.01 }],
    ["rloo", { iterations: 10, learningRate: 1e-2, beta: 0.01 }],
  ] as const) {
    it(`${kind} raises the hidden preference's mean score over samples, logs TRL's metrics and registers a new version`, async () => {
      const { db, base, row, policy } = await rlRun(kind, config);
      expect(row, row.error ?? "").toMatchObject({ status: "succeeded", step: 10 });
      expect(policy).toMatchObject({ parentId: base.id, kind: "checkpoint" });
      const [before, after] = [await meanScore(base.path!), await meanScore(policy!.path!)];
      expect(after, `${before} → ${after}`).toBeGreaterThan(before + 0.05);
      const logged = db.select().from(runEvents).where(eq(runEvents.runId, row.id)).all().flatMap((e) => Object.keys(e.metrics ?? {}));
      for (const name of ["objective/kl", "objective/entropy", "objective/scores", "objective/rlhf_reward", "policy/clipfrac", "policy/approxkl", "loss/policy_avg", "beta", "response_length", "time/sampling", "time/reference_logprobs", "time/scoring", "time/update"])
        expect(logged, name).toContain(name);
      if (kind === "ppo") for (const name of ["loss/value_avg", "val/clipfrac"]) expect(logged, name).toContain(name);
    }, 240_000);
  }

  it("fails before the first rollout without a reward model, on a prompt set smaller than one batch, an unknown scoring function, and NaN rewards", async () => {
    const noModel = await rlRun("ppo", { scoringFunction: null });
    expect(noModel.row).toMatchObject({ status: "failed", error: expect.stringContaining("the project has no reward model: train one first") });
    expect(noModel.policy).toBeUndefined();
    const tooFew = await rlRun("grpo", { batchSize: 64 });
    expect(tooFew.row).toMatchObject({ status: "failed", error: expect.stringMatching(/training prompts are fewer than one rollout batch/) });
    const unknown = await rlRun("rloo", { scoringFunction: "nope" });
    expect(unknown.row.error).toMatch(/no scoring function "nope" is registered/);
    registerScoringFunction("broken", (items) => items.map(() => Number.NaN));
    const nan = await rlRun("ppo", { scoringFunction: "broken" });
    expect(nan.row).toMatchObject({ status: "failed", step: 0, error: expect.stringMatching(/^scoring function broken gave NaN for a completion of "review \d+:": rewards must be finite numbers$/) });
    expect(nan.policy).toBeUndefined();
  }, 120_000);

  it("refuses a neural reward model whose backbone reads text with another tokenizer than the policy's", async () => {
    await initBackend("cpu");
    const { db, dir } = createTestDb();
    const projectId = await importRows(db, "planted", plantedRows(40));
    // The policy: its own tokenizer, trained on the project's texts.
    const other = freshSetup(plantedRows(40).flatMap((r) => [r.prompt, r.chosen, r.rejected]), { nLayer: 1, nEmbd: 16, nHead: 2, context: 32, vocabSize: 320 }, 3);
    const policyDir = path.join(dir, "other-policy");
    mkdirSync(policyDir);
    saveCheckpoint(policyDir, { config: other.config, params: other.model.params, tokenizerJson: other.tokenizerJson, eosId: other.tokenizer.eosId });
    disposeSetup(other);
    // The reward model: the tiny backbone (another tokenizer) with a head.
    const rewardDir = path.join(dir, "reward-model");
    const model = loadNeuralRewardModel(saveTinyBackbone(2), 1);
    saveNeuralRewardModel(rewardDir, model, { mean: 0, std: 1 });
    disposeNeuralRewardModel(model);
    const rm = db.insert(rewardModels).values({ projectId, name: "rm", kind: "neural", path: rewardDir, rewardMean: 0, rewardStd: 1 }).returning().get();
    const policy = policyForDirectory(db, policyDir);
    const run = queueRun(db, { kind: "ppo", projectId, createdBy: null, origin: "cli", config: { policyId: policy.id, rewardModelId: rm.id, batchSize: 4 } });
    await runOnce(db, { runsRoot: path.join(dir, "runs") });
    expect(db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()).toMatchObject({
      status: "failed", step: 0, error: `reward model ${rm.id}'s backbone tokenizer does not match the policy's tokenizer (${policyDir}): train the reward model on this policy's backbone`,
    });
  }, 120_000);
});
