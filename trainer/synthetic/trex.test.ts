import fs from "node:fs";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { completions, judgements, policies, prompts } from "../../db/schema";
import { writeTempFile } from "../../db/testing";
import { projectLeaderboard } from "../../server/services/leaderboard";
import { queueRun } from "../../server/services/runs";
import { coldStartProject, openings, runKind, syntheticRows } from "./synthetic.fixtures";

const runsOf = (file: string) => path.join(path.dirname(file), "runs");

/** Three versions of one policy (the built-in one, then two of the project's) with one completion each per prompt, and a D-REX-style noisy one. */
function versionedProject() {
  const fx = coldStartProject(openings(3));
  const v2 = fx.db.insert(policies).values({ name: "builtin", kind: "checkpoint", version: 2, parentId: fx.builtin.id, path: fx.builtin.path, projectId: fx.projectId }).returning().get();
  const v3 = fx.db.insert(policies).values({ name: "builtin", kind: "checkpoint", version: 3, parentId: v2.id, path: fx.builtin.path, projectId: fx.projectId }).returning().get();
  const ranked = [v3, v2, fx.builtin];
  for (const promptId of fx.promptIds)
    for (const p of ranked) fx.db.insert(completions).values({ promptId, policyId: p.id, origin: "policy", text: `v${p.version} on ${promptId}`, samplingParams: { seed: 1 } }).run();
  const noisy = fx.db.insert(completions).values({ promptId: fx.promptIds[0]!, policyId: v3.id, origin: "policy", text: "noise", samplingParams: { seed: 1, epsilon: 0.5 } }).returning().get();
  return { ...fx, ranked, noisy };
}

const version = (db: Db, policyId: number | null) => db.select().from(policies).where(eq(policies.id, policyId!)).get()!.version;

describe("the trex run", () => {
  it("ranks policy versions' completions by their policy, best first (by default the newest and its ancestors), ignoring noisy samples, and the leaderboard leaves them out", async () => {
    const fx = versionedProject();
    const { run, metadata } = await runKind(fx.db, fx.projectId, "trex", {}, runsOf(fx.file));
    expect(run, run.error ?? "").toMatchObject({ status: "succeeded" });
    expect(metadata).toMatchObject({ syntheticJudgements: 9, prompts: 3, policyIds: fx.ranked.map((p) => p.id) }); // C(3, 2) per prompt
    const rows = syntheticRows(fx.db);
    expect(rows.map((r) => `${version(fx.db, r.better.policyId)}>${version(fx.db, r.worse.policyId)}`).sort()).toEqual(["2>1", "2>1", "2>1", "3>1", "3>1", "3>1", "3>2", "3>2", "3>2"]);
    expect(rows.every((r) => r.judgement.runId === run.id && r.task.status === "complete" && r.better.promptId === r.worse.promptId)).toBe(true);
    expect(rows[0]!.judgement.rationale).toBe("T-REX: builtin@3 ≻ builtin@2");
    expect(rows.some((r) => r.better.id === fx.noisy.id || r.worse.id === fx.noisy.id)).toBe(false);
    expect(projectLeaderboard(fx.db, fx.projectId, { bootstraps: 0 })).toMatchObject({ judgements: 0, synthetic: [{ kind: "trex", judgements: 9 }] });

    const again = await runKind(fx.db, fx.projectId, "trex", { policyIds: fx.ranked.map((p) => p.id) }, runsOf(fx.file));
    expect(again.metadata).toMatchObject({ syntheticJudgements: 0, duplicatesSkipped: 9 });
  });

  it("pairs only neighbouring ranks when asked, and refuses fewer than two ranked policies", async () => {
    const fx = versionedProject();
    const adjacent = await runKind(fx.db, fx.projectId, "trex", { pairing: "adjacent" }, runsOf(fx.file));
    expect(adjacent.metadata.syntheticJudgements).toBe(6);
    expect(syntheticRows(fx.db).map((r) => version(fx.db, r.better.policyId) - version(fx.db, r.worse.policyId))).toEqual(Array(6).fill(1));
    const alone = await runKind(fx.db, fx.projectId, "trex", { policyIds: [fx.builtin.id] }, runsOf(fx.file));
    expect(alone.run.error).toMatch(/^T-REX needs two or more policies ranked by quality \(found builtin@1\)/);
  });

  it("reads a ranked file (the ranked export's rows): pairs follow its ranks, ties unpaired; prompts and completions are made once", async () => {
    const fx = coldStartProject(openings(1));
    const lines = [
      { prompt: openings(1)[0], completions: ["great", "fine", "okay", "bad"], ranks: [1, 2, 2, 3], provenance: { judgement_id: 4 } },
      { prompt: "A new opening", completions: ["best", "worst"] },
    ];
    const file = writeTempFile("ranked.jsonl", lines.map((l) => JSON.stringify(l)).join("\n"));
    const { run, metadata } = await runKind(fx.db, fx.projectId, "trex", { file }, runsOf(fx.file));
    expect(run, run.error ?? "").toMatchObject({ status: "succeeded" });
    expect(metadata).toMatchObject({ syntheticJudgements: 6, prompts: 2, file });
    const rows = syntheticRows(fx.db);
    expect(rows.map((r) => `${r.better.text}>${r.worse.text}`)).toEqual(["great>fine", "great>okay", "great>bad", "fine>bad", "okay>bad", "best>worst"]);
    expect(rows[0]!.judgement.rationale).toBe("T-REX: rank 1 ≻ rank 2");
    expect(rows.every((r) => r.better.origin === "import" && r.better.policyId === null)).toBe(true);
    const promptRows = fx.db.select().from(prompts).orderBy(asc(prompts.id)).all();
    expect(promptRows.map((p) => p.text)).toEqual([openings(1)[0], "A new opening"]);
    expect(rows[0]!.task.promptId).toBe(fx.promptIds[0]);

    const again = await runKind(fx.db, fx.projectId, "trex", { file }, runsOf(fx.file));
    expect(again.metadata).toMatchObject({ syntheticJudgements: 0, duplicatesSkipped: 6 });
    expect([fx.db.select().from(prompts).all().length, fx.db.select().from(completions).all().length]).toEqual([2, 6]);
  });

  it("checks the whole file first and writes nothing when a line is bad; the file is accepted from the command line only", async () => {
    const fx = coldStartProject(openings(1));
    const file = writeTempFile("bad.jsonl", [JSON.stringify({ prompt: "p", completions: ["a", "b"] }), "{not json", JSON.stringify({ prompt: "q", completions: ["a", "b"], ranks: [1] })].join("\n"));
    const { run } = await runKind(fx.db, fx.projectId, "trex", { file }, runsOf(fx.file));
    expect(run.error).toMatch(/bad\.jsonl: 2 bad lines, nothing written; line 2: invalid JSON .*; line 3: ranks: ranks needs one rank per completion$/);
    expect([fx.db.select().from(judgements).all().length, fx.db.select().from(prompts).all().length]).toEqual([0, 1]);
    expect(() => queueRun(fx.db, { kind: "trex", projectId: fx.projectId, config: { file }, createdBy: null, origin: "api" })).toThrow(/file names a file on the server and is accepted only from the command line/);
    expect(fs.existsSync(file)).toBe(true);
  });
});
