import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { policyForDirectory } from "../../core/policy-versions";
import { judgements, policies, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { queueRun } from "../../server/services/runs";
import { initBackend } from "../backend";
import { loadCheckpoint } from "../checkpoint/tfjs";
import { computeLogprobs } from "../logprobs";
import { TINY_CORPUS } from "../test-fixtures";
import { toTokenizerJson } from "../tokenizer/tokenizer-json";
import { trainBpe } from "../tokenizer/train-bpe";
import { loadLanguageModel } from "../language-model";
import { importRows, MARKER, plantedRows, saveTinyBackbone } from "../reward/executor-fixtures";
import { runOnce } from "../worker/worker-loop";

/** A project whose chosen answers carry a marker word, a tiny policy, and a DPO run queued on both. */
async function plantedDpo(config: Record<string, unknown>, kind: "dpo" | "kto" | "sft" | "simpo" = "dpo") {
  await initBackend("cpu");
  const { db, dir } = createTestDb();
  const projectId = await importRows(db, "planted", plantedRows(40));
  const base = policyForDirectory(db, saveTinyBackbone(3));
  const run = queueRun(db, { kind, projectId, createdBy: null, origin: "cli", config: { policyId: base.id, batchSize: 8, evalInterval: 5, checkpointEvery: 5, evaluation: { prompts: 4, maxNewTokens: 6 }, ...config } });
  return { db, base, run, runsRoot: path.join(dir, "runs") };
}

const statusOf = (db: ReturnType<typeof createTestDb>["db"], id: number) => db.select().from(trainingRuns).where(eq(trainingRuns.id, id)).get()!;

describe("DPO runs in the worker", () => {
  it("trains on the project's pairs, logs TRL's metrics, and registers a new version that prefers the chosen answers", async () => {
    const { db, base, run, runsRoot } = await plantedDpo({ epochs: 4, learningRate: 3e-3, beta: 0.5 });
    await runOnce(db, { runsRoot });
    expect(statusOf(db, run.id)).toMatchObject({ status: "succeeded", error: null });
    const policy = db.select().from(policies).where(eq(policies.runId, run.id)).get()!;
    expect(policy).toMatchObject({ parentId: base.id, name: base.name, version: base.version + 1, kind: "checkpoint" });
    const metrics = (policy.evaluation as { metrics: Record<string, number> }).metrics;
    for (const name of ["loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected", "eval_loss", "test_rewards/accuracies", "kl_to_reference"])
      expect(metrics[name], name).toBeTypeOf("number");
    // The implicit reward β·log π/π_ref separates chosen from rejected on training data.
    expect(metrics["rewards/margins"]).toBeGreaterThan(0);
    expect(existsSync(path.join(policy.path!, "onnx", "model.onnx"))).toBe(true);
    // The new policy puts more probability on answers with the marker than the base does.
    const items = plantedRows(40).slice(0, 12).map((r) => ({ prompt: r.prompt, completion: r.chosen }));
    const lift = (dir: string) => computeLogprobs(loadLanguageModel(dir), items).reduce((s, r) => s + r.total, 0);
    expect(lift(policy.path!)).toBeGreaterThan(lift(base.path!));
    expect(items.every((i) => i.completion.includes(MARKER))).toBe(true);
  }, 240_000);

  it("fails with a clear message and registers nothing when the project has no usable pairs", async () => {
    const { db, run, runsRoot } = await plantedDpo({ epochs: 1 });
    db.update(judgements).set({ outcome: "tie" }).run();
    await runOnce(db, { runsRoot });
    expect(statusOf(db, run.id)).toMatchObject({ status: "failed", error: expect.stringContaining("no usable preference pairs") });
    expect(db.select().from(policies).where(eq(policies.runId, run.id)).all()).toEqual([]);
  }, 120_000);

  it("trains LoRA adapters on a frozen base and saves them merged into a plain checkpoint", async () => {
    const { db, base, run, runsRoot } = await plantedDpo({ epochs: 1, learningRate: 1e-2, lora: { rank: 4, alpha: 8 }, evaluation: { prompts: 0 } });
    await runOnce(db, { runsRoot });
    expect(statusOf(db, run.id)).toMatchObject({ status: "succeeded", backend: expect.stringContaining("LoRA r=4") });
    const policy = db.select().from(policies).where(eq(policies.runId, run.id)).get()!;
    const [before, after] = [loadCheckpoint(base.path!).params, loadCheckpoint(policy.path!).params];
    const same = (name: string) => Array.from(before[name]!.dataSync()).every((v, i) => v === after[name]!.dataSync()[i]);
    expect(same("transformer.wte.weight")).toBe(true); // not adapted: frozen
    expect(same("transformer.h.0.ln_1.weight")).toBe(true);
    expect(same("transformer.h.0.attn.c_attn.weight")).toBe(false); // adapted: W + (α/r)·A·B merged in
    expect(same("transformer.h.1.mlp.c_fc.weight")).toBe(false);
    expect(existsSync(path.join(policy.path!, "lora.safetensors"))).toBe(false); // a plain HF checkpoint
  }, 120_000);

  it("fails before training, naming the file, when the policy's tokenizer does not fit its model", async () => {
    const { db, base, run, runsRoot } = await plantedDpo({ epochs: 1 });
    const bigger = toTokenizerJson(trainBpe([...TINY_CORPUS, ...plantedRows(40).flatMap((r) => [r.chosen, r.rejected])], 900));
    writeFileSync(path.join(base.path!, "tokenizer.json"), JSON.stringify(bigger));
    await runOnce(db, { runsRoot });
    expect(statusOf(db, run.id)).toMatchObject({ status: "failed", step: 0, error: expect.stringMatching(/tokenizer\.json/) });
    expect(db.select().from(policies).where(eq(policies.runId, run.id)).all()).toEqual([]);
  }, 120_000);
});
