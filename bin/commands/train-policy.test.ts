import { preflab } from "./cli.fixtures";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createTestDb, writeTempFile } from "../../db/testing";
import { initBackend } from "../../trainer/backend";
import { importRows, plantedRows, saveTinyBackbone } from "../../trainer/reward/executor-fixtures";


describe("preflab train dpo / kto / sft", () => {
  it("trains from a checkpoint directory and prints runId, policyId, policyDir and TRL's metrics as the last line; the new policy scores with model logprobs", async () => {
    await initBackend("cpu");
    const { db, file } = createTestDb();
    await importRows(db, "planted", plantedRows(24));
    const base = saveTinyBackbone(2);
    const config = writeTempFile("dpo.json", JSON.stringify({ epochs: 3, beta: 0.05, evaluation: { prompts: 2, maxNewTokens: 4 } }));
    const out = await preflab(file, ["train", "dpo", "--project", "planted", "--policy", base, "--config", config, "--beta", "0.5", "--lr", "0.005", "--batch-size", "6", "--json"], 300_000);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/queued dpo run 1 from policy 1/);
    expect(out.stderr).toMatch(/step 1\/\d+ +loss 0\.69/); // −log σ(0) = ln 2 at the first step, before any update
    const summary = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
    expect(summary).toMatchObject({ runId: 1, policyId: 2, policyDir: expect.stringContaining(path.join("runs", "1")) });
    for (const name of ["rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected", "loss"])
      expect(summary.metrics[name], name).toBeTypeOf("number");
    expect(summary.evaluation.klToReference).toBeTypeOf("number");

    const items = writeTempFile("items.jsonl", `${JSON.stringify({ prompt: "review 1:", completion: " a great film" })}\n`);
    const scored = await preflab(file, ["model", "logprobs", "--model", String(summary.policyId), "--input", items], 300_000);
    expect(scored.code, scored.stderr).toBe(0);
    expect(JSON.parse(scored.stdout)).toMatchObject({ logprob: expect.any(Number), tokens: expect.any(Number) });
  }, 300_000);

  it("lists each kind's config fields with defaults and descriptions, and refuses β ≤ 0 before queueing anything", async () => {
    const { db, file } = createTestDb();
    await importRows(db, "planted", plantedRows(4));
    const help = await preflab(file, ["train", "dpo", "--help"], 300_000);
    expect(help.stdout).toMatch(/beta +β: how far the policy may move from the reference .*\(default 0\.1\)/);
    expect(help.stdout).toMatch(/lossType +sigmoid \(DPO\), hinge, ipo/);
    expect((await preflab(file, ["train", "simpo", "--help"], 300_000)).stdout).toMatch(/lossType .*\(default "simpo"\)/);
    expect((await preflab(file, ["train", "--help"], 300_000)).stdout).toMatch(/dpo[\s\S]*ipo[\s\S]*simpo[\s\S]*orpo[\s\S]*kto[\s\S]*sft/);
    const refused = await preflab(file, ["train", "dpo", "--project", "planted", "--beta", "0"], 300_000);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Invalid dpo config: .*beta/s);
    expect(refused.stderr).not.toMatch(/queued/);
  }, 120_000);
});
