import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rewardModels } from "../../db/schema";
import { pickNextTask } from "../../server/services/assignment";
import { submitJudgement } from "../../server/services/judgements";
import { exportToFile } from "../../server/services/export/write-export";
import { listProjectsWithCounts } from "../../server/services/project-stats";
import { projectAgreement } from "../../server/services/quality";
import { projectProgress } from "../../server/services/quality-progress";
import { addPrompt, addUser } from "../../server/services/tasks-fixtures";
import { createPairTasks } from "../../server/services/tasks";
import { KIND_DEFAULTS } from "../dpo/config";
import { loadPreferencePairs } from "../dpo/data";
import { rewardConfigSchema } from "../reward/config";
import { heldOutForPolicies } from "../sample/prompts";
import { coldStartProject, openings, runKind, syntheticRows } from "./synthetic.fixtures";

const runsOf = (file: string) => path.join(path.dirname(file), "runs");

/** Two prompts of D-REX at three noise levels (3 pairs each) beside one human pair task. */
async function mixedProject() {
  const fx = coldStartProject(openings(2));
  const drex = await runKind(fx.db, fx.projectId, "drex", { prompts: "all", noiseLevels: [0, 0.5, 1], maxNewTokens: 8 }, runsOf(fx.file));
  expect(drex.run, drex.run.error ?? "").toMatchObject({ status: "succeeded" });
  expect(drex.metadata.syntheticJudgements).toBe(6);
  const human = addPrompt(fx.db, fx.projectId, 2, "A human prompt");
  const [humanTask] = createPairTasks(fx.db, fx.projectId, [{ promptId: human.promptId, completionIds: human.completionIds }]).created;
  return { ...fx, drexRun: drex.run, humanTask: humanTask! };
}

async function exported(fx: Awaited<ReturnType<typeof mixedProject>>, format: "trl" | "csv", includeSynthetic?: boolean) {
  const out = path.join(path.dirname(fx.file), `export-${format}-${includeSynthetic}`);
  await exportToFile(fx.db, format, { projectId: fx.projectId, includeSynthetic }, out);
  return fs.readFileSync(out, "utf8").split("\n").filter(Boolean);
}

describe("synthetic judgements are kept apart", () => {
  it("are never served to annotators and stay out of every human count, shown apart by the kind of run that made them", async () => {
    const fx = await mixedProject();
    const ann = addUser(fx.db, "ann");
    const first = pickNextTask(fx.db, ann.id, fx.projectId);
    expect(first.task!.taskId).toBe(fx.humanTask);
    submitJudgement(fx.db, ann.id, { taskId: fx.humanTask, idempotencyKey: "k1", answer: { kind: "pair", outcome: "left", strength: 2 } });
    const next = pickNextTask(fx.db, ann.id, fx.projectId);
    expect([next.task, next.progress.tasksRemaining]).toEqual([null, 0]);

    const drex = [{ kind: "drex", judgements: 6 }];
    expect(listProjectsWithCounts(fx.db)).toEqual([expect.objectContaining({ tasks: 1, openTasks: 1, judgements: 1, synthetic: drex })]); // open: one of two judgements
    expect(projectProgress(fx.db, fx.projectId)).toMatchObject({ totalTasks: 1, tasks: { open: 1, complete: 0 }, judgementsNeeded: 1, humanJudgements: 1, synthetic: drex });
    expect(projectAgreement(fx.db, fx.projectId).judgements).toBe(1);
    // No annotator saw the D-REX samples: their prompts are still held out for the next sample run.
    expect(heldOutForPolicies(fx.db, fx.projectId, [fx.builtin.id])).toEqual(expect.arrayContaining(fx.promptIds));
  }, 60_000);

  it("reach export and training only when asked, and exported rows name their generating run", async () => {
    const fx = await mixedProject();
    const ann = addUser(fx.db, "ann");
    pickNextTask(fx.db, ann.id, fx.projectId);
    submitJudgement(fx.db, ann.id, { taskId: fx.humanTask, idempotencyKey: "k1", answer: { kind: "pair", outcome: "left", strength: 2 } });

    const plain = (await exported(fx, "trl")).map((l) => JSON.parse(l) as { prompt: string });
    expect(plain.map((r) => r.prompt)).toEqual(["A human prompt"]);
    const all = (await exported(fx, "trl", true)).map((l) => JSON.parse(l) as { prompt: string; chosen: string; rejected: string; provenance: Record<string, unknown> });
    const synthetic = all.filter((r) => r.provenance.source === "synthetic");
    expect(synthetic).toHaveLength(6);
    const rows = syntheticRows(fx.db);
    for (const [i, r] of synthetic.entries()) {
      expect(r.provenance).toMatchObject({ annotator: `drex-run-${fx.drexRun.id}`, generating_run: { id: fx.drexRun.id, kind: "drex" }, judgement_id: rows[i]!.judgement.id });
      expect([r.chosen, r.rejected]).toEqual([rows[i]!.better.text, rows[i]!.worse.text]);
    }
    expect(all.find((r) => r.prompt === "A human prompt")!.provenance).not.toHaveProperty("generating_run");
    const csv = await exported(fx, "csv", true);
    expect(csv).toHaveLength(1 + 7);
    expect(csv.filter((l) => l.includes(`drex-run-${fx.drexRun.id},synthetic,`))).toHaveLength(6);

    expect(loadPreferencePairs(fx.db, fx.projectId, { includeGold: false })).toHaveLength(1);
    expect(loadPreferencePairs(fx.db, fx.projectId, { includeGold: false, includeSynthetic: true })).toHaveLength(7);
    expect([KIND_DEFAULTS.dpo.parse({}).includeSynthetic, rewardConfigSchema.parse({}).includeSynthetic]).toEqual([false, false]);
  }, 60_000);

  it("train a linear reward model only with includeSynthetic, which then prefers the less noisy sample on held-out D-REX prompts", async () => {
    const fx = coldStartProject(openings(24));
    const drex = await runKind(fx.db, fx.projectId, "drex", { prompts: "all", maxPrompts: 24, maxNewTokens: 16 }, runsOf(fx.file));
    expect(drex.metadata.syntheticJudgements).toBeGreaterThan(200); // 24 prompts × C(5, 2) pairs, less any that read the same
    const reward = { kind: "linear", validationFraction: 0.2, testFraction: 0.3, hashBits: 14 };
    const without = await runKind(fx.db, fx.projectId, "reward", reward, runsOf(fx.file));
    expect(without.run.error).toMatch(/no judgements/);
    const trained = await runKind(fx.db, fx.projectId, "reward", { ...reward, includeSynthetic: true }, runsOf(fx.file));
    expect(trained.run, trained.run.error ?? "").toMatchObject({ status: "succeeded" });
    const model = fx.db.select().from(rewardModels).where(eq(rewardModels.runId, trained.run.id)).get()!;
    // Test split: the pairs of 30% of the prompts (70 here), never trained or selected on. Chance is
    // 0.5; 0.7 of 70 pairs is 3.3 standard deviations above it (this seed gives 0.84).
    expect(model.metrics!.pairs).toBeGreaterThanOrEqual(60);
    expect(model.metrics!.accuracy).toBeGreaterThan(0.7);
  }, 120_000);
});
