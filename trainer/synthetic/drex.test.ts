import path from "node:path";
import { asc } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { completions } from "../../db/schema";
import { openOnnxCheckpoint } from "../onnx/checkpoint";
import { continuePrompt, sampleSeed } from "../sample/executor";
import { coldStartProject, openings, runKind, syntheticRows } from "./synthetic.fixtures";

const drex = { prompts: "all", noiseLevels: [0, 0.5, 1], samplesPerLevel: 2, maxNewTokens: 8 };

async function drexProject(n: number, config: Record<string, unknown> = drex) {
  const fx = coldStartProject(openings(n));
  const result = await runKind(fx.db, fx.projectId, "drex", config, path.join(fx.file, "..", "runs"));
  expect(result.run, result.run.error ?? "").toMatchObject({ status: "succeeded" });
  return { ...fx, ...result };
}

describe("the drex run", () => {
  it("prefers each sample to every noisier one: C(L,2)·k² pairs per prompt on complete synthetic tasks, recorded with their run", async () => {
    const fx = await drexProject(3);
    expect(fx.metadata).toMatchObject({ syntheticJudgements: 36, prompts: 3, identicalSkipped: 0, duplicatesSkipped: 0, policyId: fx.builtin.id }); // 3 level pairs × 2² samples × 3 prompts
    const rows = syntheticRows(fx.db);
    expect(rows).toHaveLength(36);
    for (const { judgement, task, better, worse } of rows) {
      expect(judgement).toMatchObject({ source: "synthetic", annotatorId: null, runId: fx.run.id, outcome: "left", strength: null });
      expect(task).toMatchObject({ kind: "pair", synthetic: true, status: "complete", judgementCount: 1, requiredJudgements: 1, isGold: false });
      expect(new Set(task.completionIds)).toEqual(new Set([better.id, worse.id]));
      expect(better.samplingParams!.epsilon!).toBeLessThan(worse.samplingParams!.epsilon!);
      expect([better.policyId, worse.policyId, better.promptId]).toEqual([fx.builtin.id, fx.builtin.id, task.promptId]);
      expect(judgement.rationale).toBe(`D-REX: ε ${better.samplingParams!.epsilon} ≻ ε ${worse.samplingParams!.epsilon}`);
    }
    const levelPairs = rows.map((r) => `${r.better.samplingParams!.epsilon}>${r.worse.samplingParams!.epsilon}`);
    expect(["0>0.5", "0>1", "0.5>1"].map((p) => levelPairs.filter((l) => l === p).length)).toEqual([12, 12, 12]);

    const adjacent = await runKind(fx.db, fx.projectId, "drex", { ...drex, pairing: "adjacent", seed: 7 }, path.join(fx.file, "..", "runs"));
    expect(adjacent.metadata).toMatchObject({ syntheticJudgements: 24, prompts: 3 }); // 2 neighbouring level pairs × 2² × 3
    expect(syntheticRows(fx.db).filter((r) => r.judgement.runId === adjacent.run.id).every((r) => r.better.samplingParams!.epsilon === 0 ? r.worse.samplingParams!.epsilon === 0.5 : r.worse.samplingParams!.epsilon === 1)).toBe(true);
  }, 60_000);

  it("draws reproducibly from the seed; each completion records its seed and ε; the noise-free level is plain sampling with that seed", async () => {
    const a = await drexProject(3);
    const b = await drexProject(3);
    const drawn = (fx: typeof a) => fx.db.select().from(completions).orderBy(asc(completions.id)).all().map((c) => ({ prompt: c.promptId, text: c.text, params: c.samplingParams }));
    expect(drawn(b)).toEqual(drawn(a));
    const all = a.db.select().from(completions).orderBy(asc(completions.id)).all();
    expect(all).toHaveLength(3 * 3 * 2);
    for (const c of all) {
      const i = all.filter((o) => o.promptId === c.promptId).indexOf(c); // level-major: sample i = level·k + j
      expect(c.samplingParams).toEqual({ temperature: 1, maxNewTokens: 8, seed: sampleSeed(42, c.promptId, a.builtin.id, i), epsilon: drex.noiseLevels[Math.floor(i / 2)] });
    }

    const rerun = await runKind(a.db, a.projectId, "drex", drex, path.join(a.file, "..", "runs"));
    expect(rerun.metadata).toMatchObject({ syntheticJudgements: 0, duplicatesSkipped: 36 });
    expect(a.db.select().from(completions).all()).toHaveLength(all.length);

    const model = await openOnnxCheckpoint(a.builtin.path!, { intraOpNumThreads: 1 });
    try {
      const texts = new Map(a.db.select().from(completions).all().map((c) => [c.id, c]));
      const promptText = (id: number) => openings(3)[a.promptIds.indexOf(id)]!;
      for (const c of texts.values()) {
        const { epsilon, ...plain } = c.samplingParams as { temperature: number; maxNewTokens: number; seed: number; epsilon: number };
        const [again] = await continuePrompt(model, promptText(c.promptId), [plain]);
        if (epsilon === 0) expect(again!.text).toBe(c.text);
        if (epsilon === 1) expect(again!.text).not.toBe(c.text); // every token uniform over 2,048: never the policy's own draw
      }
    } finally {
      await model.lm.release();
    }
  }, 90_000);
});
