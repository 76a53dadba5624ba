import { asc, eq, gt } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ensureBuiltinPolicy } from "../../core/policy-versions";
import { completions, judgements, policies, rewardModels, rounds, tasks, trainingRuns } from "../../db/schema";
import { drainQueue, loopProject } from "../../server/services/rounds.fixtures";
import { cancelRun } from "../../server/services/runs";
import type { Db } from "../../db/client";
import { runOnce } from "./worker-loop";

const allRounds = (db: Db) => db.select().from(rounds).orderBy(asc(rounds.id)).all();
const runRow = (db: Db, id: number) => db.select().from(trainingRuns).where(eq(trainingRuns.id, id)).get()!;

describe("the auto-loop", () => {
  it("starts exactly one round when the N-th new judgement arrives, and the worker runs reward model → policy run → sample run into it", async () => {
    const { db, projectId, runsRoot, judge } = loopProject(30, { judgementsPerRound: 24 });
    expect(judge(23).map((r) => r.roundStarted)).toEqual(Array(23).fill(null));
    expect(allRounds(db)).toEqual([]);
    const [last] = judge(1);
    expect(last!.roundStarted).toBeTypeOf("number");
    expect(judge(2).map((r) => r.roundStarted)).toEqual([null, null]); // never while the round runs

    const executed = await drainQueue(db, runsRoot);
    const [round] = allRounds(db);
    expect(round, round?.error ?? "").toMatchObject({ id: last!.roundStarted, projectId, number: 1, trigger: "auto", status: "succeeded", step: "sample", error: null });
    expect(executed).toEqual([`${round!.rewardRunId} reward`, `${round!.policyRunId} dpo`, `${round!.sampleRunId} sample`]);
    for (const id of [round!.rewardRunId!, round!.policyRunId!, round!.sampleRunId!]) expect(runRow(db, id), runRow(db, id).error ?? "").toMatchObject({ status: "succeeded" });

    const judged = db.select({ id: judgements.id }).from(judgements).orderBy(asc(judgements.id)).all().map((j) => j.id);
    expect(round).toMatchObject({ judgementsNew: 24, judgementsTotal: 24, judgementIdFrom: null, judgementIdTo: judged[23] });
    const model = db.select().from(rewardModels).where(eq(rewardModels.runId, round!.rewardRunId!)).get()!;
    const builtin = ensureBuiltinPolicy(db);
    const policy = db.select().from(policies).where(eq(policies.runId, round!.policyRunId!)).get()!;
    expect(round).toMatchObject({ rewardModelId: model.id, startPolicyId: builtin.id, policyId: policy.id });
    expect(policy).toMatchObject({ parentId: builtin.id, projectId });
    expect(runRow(db, round!.policyRunId!)).toMatchObject({ basePolicyId: builtin.id, config: expect.objectContaining({ policyId: builtin.id, sampleAfter: null, maxLength: 24 }) });
    expect(round!.results.reward!.accuracy).toBe(model.metrics!.accuracy);
    expect(round!.results.policy).toMatchObject({ kl_to_reference: expect.any(Number), reward_win_rate: expect.any(Number) });
    expect(round!.results.sample).toEqual({ tasksCreated: 2, prompts: 2 });

    const sampled = db.select().from(tasks).where(gt(tasks.priority, 0)).all();
    expect(sampled).toHaveLength(2);
    for (const task of sampled) {
      const shown = task.completionIds.map((id) => db.select().from(completions).where(eq(completions.id, id)).get()!.policyId);
      expect(shown).toEqual([policy.id, builtin.id]); // the new version against the one it started from
    }
  }, 240_000);

  it("does not start a round below N, nor when the auto-loop is off", () => {
    const below = loopProject(12, { judgementsPerRound: 12 });
    below.judge(11);
    expect(allRounds(below.db)).toEqual([]);
    const off = loopProject(12, { enabled: false, judgementsPerRound: 3 });
    expect(off.judge(12).every((r) => r.roundStarted === null)).toBe(true);
    expect(allRounds(off.db)).toEqual([]);
    expect(off.db.select().from(trainingRuns).all()).toEqual([]);
  });

  it("records a round whose reward run fails as failed at the reward step, and the next round waits for N more judgements", async () => {
    const { db, runsRoot, judge } = loopProject(12, { judgementsPerRound: 4 });
    judge(4);
    await drainQueue(db, runsRoot);
    const [round] = allRounds(db);
    expect(round).toMatchObject({ status: "failed", step: "reward", policyRunId: null, error: expect.stringMatching(/^reward run \d+ failed: not enough judgements: 4 preferred/) });
    expect(round!.finishedAt).toBeInstanceOf(Date);
    expect(judge(3).map((r) => r.roundStarted)).toEqual([null, null, null]);
    expect(judge(1)[0]!.roundStarted).toBeTypeOf("number");
    expect(allRounds(db).map((r) => [r.number, r.judgementsNew, r.judgementsTotal])).toEqual([[1, 4, 4], [2, 4, 8]]);
  });

  it("records a round as failed at the policy step when its policy run is cancelled while queued", async () => {
    const { db, runsRoot, judge } = loopProject(24, { judgementsPerRound: 24 });
    judge(24);
    await runOnce(db, { runsRoot }); // the reward run, after which the worker queues the policy run
    const [queued] = allRounds(db);
    expect(queued).toMatchObject({ status: "running", step: "policy" });
    cancelRun(db, queued!.policyRunId!);
    expect(await runOnce(db, { runsRoot })).toBe(false); // nothing to run, but the round is brought up to date
    expect(allRounds(db)[0]).toMatchObject({ status: "failed", step: "policy", sampleRunId: null, error: `policy run ${queued!.policyRunId} cancelled` });
  });

  it("gives an RL policy run the round's new reward model, from the project's newest policy", async () => {
    const { db, runsRoot, judge } = loopProject(24, { judgementsPerRound: 24, policyKind: "ppo", policy: { iterations: 1 } });
    judge(24);
    await runOnce(db, { runsRoot });
    const [round] = allRounds(db);
    const run = runRow(db, round!.policyRunId!);
    expect(run).toMatchObject({ kind: "ppo", status: "queued", basePolicyId: ensureBuiltinPolicy(db).id });
    expect(run.config).toMatchObject({ rewardModelId: round!.rewardModelId, policyId: run.basePolicyId, iterations: 1, sampleAfter: null });
  });
});
