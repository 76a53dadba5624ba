import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import type { PairOutcome } from "../../db/enums";
import { completions, judgements, policies, prompts, tasks } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { ELO_PER_LOGIT, leaderboard, type PolicyJudgement } from "../../stats/bradley-terry";
import { createRng, uniformInt } from "../../stats/random";
import { projectLeaderboard } from "./leaderboard";
import { ensureProject } from "./projects";

/** A project with one prompt and one completion per policy (created in this order). */
function seed(db: Db, names: string[]) {
  const project = ensureProject(db, "arena", null);
  const prompt = db.insert(prompts).values({ projectId: project.id, text: "say something" }).returning().get();
  const completion = new Map<string, number>();
  names.forEach((name, i) => {
    const policy = db.insert(policies).values({ name, kind: "checkpoint", createdAt: new Date(1000 * (i + 1)) }).returning().get();
    completion.set(name, db.insert(completions).values({ promptId: prompt.id, policyId: policy.id, origin: "policy", text: `answer of ${name}` }).returning().get().id);
  });
  const judge = (left: string, right: string, outcome: PairOutcome, extra: { undone?: boolean; kind?: "pair" | "rank" } = {}) => {
    const ids = [completion.get(left)!, completion.get(right)!];
    const task = db.insert(tasks).values({ projectId: project.id, promptId: prompt.id, kind: extra.kind ?? "pair", completionIds: ids, completionSetKey: ids.join(","), requiredJudgements: 1 }).returning().get();
    db.insert(judgements).values({ taskId: task.id, source: "human", outcome, displayOrder: ids, undoneAt: extra.undone ? new Date() : null }).run();
  };
  return { projectId: project.id, judge };
}

describe("the policy leaderboard service", () => {
  it("aggregates pair judgements by displayed side: left/right wins, ties half, both-bad reported only", () => {
    const { db } = createTestDb();
    const { projectId, judge } = seed(db, ["base", "tuned"]);
    for (let i = 0; i < 3; i++) judge("tuned", "base", "left");
    judge("base", "tuned", "left");
    for (let i = 0; i < 2; i++) judge("base", "tuned", "right");
    judge("base", "tuned", "tie");
    judge("tuned", "base", "tie");
    judge("tuned", "base", "both_bad");
    judge("tuned", "base", "left", { undone: true }); // undone: never counted
    judge("tuned", "base", "left", { kind: "rank" }); // not a pair task
    const board = projectLeaderboard(db, projectId, { bootstraps: 50 });
    expect(board).toMatchObject({ base: "base@1", judgements: 9 });
    const [top, bottom] = board.rows;
    expect(top).toMatchObject({ policy: "tuned@1", judgements: 9, wins: 5, losses: 1, ties: 2, bothBad: 1, connectedToBase: true });
    expect(bottom).toMatchObject({ policy: "base@1", rating: 1000, wins: 1, losses: 5, ties: 2, bothBad: 1 });
    // The same judgements listed one by one, as the tuned policy's point of view: the SQL GROUP BY changes nothing.
    const raw: PolicyJudgement[] = [
      ...Array.from({ length: 5 }, () => ({ a: "tuned@1", b: "base@1", outcome: "a" as const })),
      { a: "tuned@1", b: "base@1", outcome: "b" },
      { a: "tuned@1", b: "base@1", outcome: "tie" },
      { a: "base@1", b: "tuned@1", outcome: "tie" },
      { a: "base@1", b: "tuned@1", outcome: "both_bad" },
    ];
    expect(top!.rating).toBeCloseTo(leaderboard(raw, { base: "base@1", bootstraps: 0 })[0]!.rating, 6);
  });

  it("recovers known strengths within the 95% intervals from generated judgements", () => {
    const { db } = createTestDb();
    const truth = { a: 0, b: 0.8, c: -0.6 }; // log-strengths; a is the earliest policy, the base
    const { projectId, judge } = seed(db, Object.keys(truth));
    const rng = createRng(11);
    const names = Object.keys(truth) as (keyof typeof truth)[];
    for (let n = 0; n < 900; n++) {
      const i = uniformInt(rng, 3);
      const [x, y] = [names[i]!, names[(i + 1 + uniformInt(rng, 2)) % 3]!];
      judge(x, y, rng() < 1 / (1 + Math.exp(truth[y] - truth[x])) ? "left" : "right");
    }
    const board = projectLeaderboard(db, projectId, { bootstraps: 200 });
    expect(board.rows.map((r) => r.policy)).toEqual(["b@1", "a@1", "c@1"]);
    // The base is anchored in every resample: its interval is the point 1000, the others' cover the truth.
    expect(board.rows[1]).toMatchObject({ policy: "a@1", rating: 1000, ciLow: 1000, ciHigh: 1000 });
    const covered = board.rows.filter((r) => r.policy !== "a@1").map((row) => {
      const expected = 1000 + ELO_PER_LOGIT * truth[row.policy.split("@")[0] as keyof typeof truth];
      return [row.policy, row.ciLow < expected && expected < row.ciHigh];
    });
    expect(covered).toEqual([["b@1", true], ["c@1", true]]);
  });

  it("anchors a requested base by label or unique name, and names the choices for an unknown one", () => {
    const { db } = createTestDb();
    const { projectId, judge } = seed(db, ["base", "tuned"]);
    judge("tuned", "base", "left");
    expect(projectLeaderboard(db, projectId, { base: "tuned", bootstraps: 0 }).rows.find((r) => r.policy === "tuned@1")!.rating).toBe(1000);
    expect(projectLeaderboard(db, projectId, { base: "base@1", bootstraps: 0 }).base).toBe("base@1");
    expect(() => projectLeaderboard(db, projectId, { base: "gpt-9" })).toThrow('base policy "gpt-9" is ambiguous or unknown (policies in this project: base@1, tuned@1)');
  });

  it("is empty for a project without policies", () => {
    const { db } = createTestDb();
    const project = ensureProject(db, "empty", null);
    expect(projectLeaderboard(db, project.id)).toEqual({ base: null, rows: [], judgements: 0, synthetic: [] });
  });
});
