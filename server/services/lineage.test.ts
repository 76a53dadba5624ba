import { describe, expect, it } from "vitest";
import { ensureBuiltinPolicy } from "../../core/policy-versions";
import type { Db } from "../../db/client";
import { completions, evaluations, policies, prompts, runEvents, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { ServiceError } from "./errors";
import { policyLineage } from "./lineage";
import { policySamples, samplePolicies } from "./policy-samples";
import { ensureProject } from "./projects";

function version(db: Db, o: { name?: string; version: number; parentId: number | null; projectId: number | null; runId?: number; kind?: "checkpoint" | "imported"; evaluation?: Record<string, unknown> }) {
  return db.insert(policies).values({ name: o.name ?? "builtin", version: o.version, kind: o.kind ?? "checkpoint", parentId: o.parentId, projectId: o.projectId, runId: o.runId ?? null, path: o.kind === "imported" ? null : `runs/${o.version}/final`, evaluation: o.evaluation ?? null }).returning().get();
}

function run(db: Db, projectId: number, log: string[]) {
  const row = db.insert(trainingRuns).values({ kind: "dpo", projectId, config: { beta: 0.1 }, status: "succeeded", startedAt: new Date("2026-03-10T10:00:00Z") }).returning().get();
  log.forEach((message, i) => db.insert(runEvents).values({ runId: row.id, step: i, message }).run());
  db.insert(runEvents).values({ runId: row.id, step: 3, loss: 0.6 }).run();
  return row;
}

function setup() {
  const { db } = createTestDb();
  const project = ensureProject(db, "p", null);
  const other = ensureProject(db, "other", null);
  const builtin = ensureBuiltinPolicy(db);
  const first = run(db, project.id, ["dpo (sigmoid, β=0.1) on 12 preference pairs over 12 prompts (12 pair)", "registered policy builtin@2"]);
  const v2 = version(db, { version: 2, parentId: builtin.id, projectId: project.id, runId: first.id, evaluation: { prompts: 4, klToReference: 0.02, rewardWinRate: 0.75, meanReward: 0.3 } });
  const v3 = version(db, { version: 3, parentId: v2.id, projectId: project.id });
  const elsewhere = version(db, { name: "elsewhere", version: 1, parentId: builtin.id, projectId: other.id });
  const arena = version(db, { name: "gpt-x", version: 1, parentId: null, projectId: null, kind: "imported" });
  return { db, project, builtin, first, v2, v3, elsewhere, arena };
}

describe("policy lineage", () => {
  it("gives the project's versions, those its completions show, and their ancestors, with run, data, held-out numbers and evaluations", () => {
    const { db, project, builtin, first, v2, v3, arena } = setup();
    const prompt = db.insert(prompts).values({ projectId: project.id, text: "The film" }).returning().get();
    db.insert(completions).values({ promptId: prompt.id, policyId: arena.id, origin: "import", text: " was fine" }).run();
    const evalRun = db.insert(trainingRuns).values({ kind: "evaluate", projectId: project.id, config: {}, status: "succeeded" }).returning().get();
    db.insert(evaluations).values({ projectId: project.id, runId: evalRun.id, basePolicyId: builtin.id, policyId: v3.id, promptIds: [prompt.id], metrics: { alignmentAccuracy: 0.6, klToBase: 0.05, meanReward: 0.2 }, samples: [] }).run();

    const nodes = policyLineage(db, project.id);
    expect(nodes.map((n) => [n.label, n.parent])).toEqual([["builtin@1", null], ["builtin@2", "builtin@1"], ["builtin@3", "builtin@2"], ["gpt-x@1", null]]);
    const byLabel = new Map(nodes.map((n) => [n.label, n]));
    expect(byLabel.get("builtin@2")).toMatchObject({
      id: v2.id, parentId: builtin.id, ofThisProject: true,
      run: { id: first.id, kind: "dpo", status: "succeeded", config: { beta: 0.1 } },
      data: { description: "dpo (sigmoid, β=0.1) on 12 preference pairs over 12 prompts (12 pair)", judgementsUntil: new Date("2026-03-10T10:00:00Z") },
      heldOut: { prompts: 4, klToParent: 0.02, rewardWinRate: 0.75, meanReward: 0.3 },
      evaluations: [],
    });
    expect(byLabel.get("builtin@1")).toMatchObject({ ofThisProject: false, run: null, data: null, heldOut: null });
    expect(byLabel.get("builtin@3")!.evaluations).toEqual([{ runId: evalRun.id, base: "builtin@1", rewardWinRate: 0.6, klToBase: 0.05, meanReward: 0.2, prompts: 1 }]);
    expect(byLabel.get("gpt-x@1")).toMatchObject({ kind: "imported", hasCheckpoint: false, ofThisProject: false });
  });
});

describe("sample browser", () => {
  it("pages through the prompts both policies continued, each side's first completion, in prompt order", () => {
    const { db, project, builtin, v2 } = setup();
    const add = (text: string, sides: Array<[number, string]>) => {
      const p = db.insert(prompts).values({ projectId: project.id, text }).returning().get();
      for (const [policyId, answer] of sides) db.insert(completions).values({ promptId: p.id, policyId, origin: "policy", text: answer }).run();
      return p.id;
    };
    const a = add("one", [[v2.id, "v2 one"], [builtin.id, "base one"], [v2.id, "v2 one again"]]);
    add("only v2", [[v2.id, "v2 alone"]]);
    const c = add("three", [[builtin.id, "base three"], [v2.id, "v2 three"]]);
    const d = add("four", [[v2.id, "v2 four"], [builtin.id, "base four"]]);

    const page1 = policySamples(db, project.id, { left: v2.id, right: builtin.id, limit: 2 });
    expect(page1.rows.map((r) => [r.promptId, r.prompt, r.left, r.right])).toEqual([[a, "one", "v2 one", "base one"], [c, "three", "v2 three", "base three"]]);
    expect(page1.next).toBe(c);
    const page2 = policySamples(db, project.id, { left: v2.id, right: builtin.id, limit: 2, after: page1.next! });
    expect(page2).toEqual({ rows: [expect.objectContaining({ promptId: d, left: "v2 four", right: "base four" })], next: null });
    expect(samplePolicies(db, project.id).map((p) => p.label)).toEqual(["builtin@1", "builtin@2"]);
    expect(() => policySamples(db, project.id, { left: v2.id, right: v2.id })).toThrow(ServiceError);
  });
});
