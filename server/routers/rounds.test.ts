import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { rounds, trainingRuns } from "../../db/schema";
import { ensureWorkerRunning } from "../../trainer/launcher";
import { runOnce } from "../../trainer/worker/worker-loop";
import { createCaller } from "../root";
import { startRaceWorker } from "../services/judgements-race.fixtures";
import { loopProject } from "../services/rounds.fixtures";
import { addUser } from "../services/tasks-fixtures";
import { createInnerContext } from "../trpc";

// Runs execute here, through runOnce, instead of in a forked worker.
vi.mock("../../trainer/launcher", async (importOriginal) => ({ ...(await importOriginal<object>()), ensureWorkerRunning: vi.fn() }));

const codeOf = (promise: Promise<unknown>) => promise.then(() => "OK", (e) => (e instanceof TRPCError ? `${e.code}: ${e.message}` : String(e)));

function setup(pairs: number, autoLoop: Parameters<typeof loopProject>[1] = {}) {
  const fx = loopProject(pairs, autoLoop);
  const as = (role: "researcher" | "annotator" | "admin") => createCaller(createInnerContext({ db: fx.db, user: addUser(fx.db, `${role}-${Math.random()}`, role) }));
  return { ...fx, as };
}

describe("rounds router", () => {
  it("starts the next round on demand (researchers and admins only), refuses a second while it runs, and lists it with its runs", async () => {
    const { db, projectId, runsRoot, judge, as } = setup(24, { enabled: false });
    judge(24);
    const researcher = as("researcher");
    expect(await codeOf(as("annotator").rounds.start({ projectId }))).toBe("FORBIDDEN: This needs the researcher or admin role.");
    const round = await researcher.rounds.start({ projectId });
    expect(round).toMatchObject({ number: 1, trigger: "manual", status: "running", step: "reward", judgementsNew: 24 });
    expect(vi.mocked(ensureWorkerRunning)).toHaveBeenCalled();
    expect(await codeOf(as("admin").rounds.start({ projectId }))).toBe("CONFLICT: Round 1 is still running (its reward step); the next one starts after it.");

    await runOnce(db, { runsRoot });
    const { rounds: listed, status } = await researcher.rounds.list({ projectId });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: round.id, step: "policy", runs: { reward: { id: round.rewardRunId, kind: "reward", status: "succeeded" }, policy: { kind: "dpo", status: "queued" }, sample: null } });
    expect(listed[0]!.rewardModel).toMatchObject({ kind: "linear" });
    expect(listed[0]!.startPolicy).toMatchObject({ name: "builtin" });
    expect(status).toMatchObject({ autoLoop: { enabled: false }, running: { id: round.id }, newJudgements: 0, configError: null });
  });

  it("configures the auto-loop, refusing a bad config by field before it is saved, and enabling it on enough judgements starts a round", async () => {
    const { db, projectId, judge, as } = setup(12, { enabled: false, judgementsPerRound: 5 });
    judge(6);
    const researcher = as("researcher");
    expect(await codeOf(researcher.rounds.configure({ projectId, enabled: true, reward: { kind: "linear", learningRat: 1 } }))).toMatch(/^BAD_REQUEST: Invalid reward config: .*learningRat/s);
    expect(await codeOf(researcher.rounds.configure({ projectId, policyKind: "sample" }))).toMatch(/^BAD_REQUEST: A round's policy run trains a new policy/);
    expect((await researcher.projects.get({ projectId })).settings.autoLoop.enabled).toBe(false);

    const { autoLoop, started } = await researcher.rounds.configure({ projectId, enabled: true, judgementsPerRound: 6 });
    expect(autoLoop).toMatchObject({ enabled: true, judgementsPerRound: 6, policyKind: "dpo" });
    expect(started).toMatchObject({ number: 1, trigger: "auto", judgementsNew: 6 });
    expect(db.select().from(trainingRuns).where(eq(trainingRuns.id, started!.rewardRunId!)).get()).toMatchObject({ kind: "reward", status: "queued", config: expect.objectContaining({ kind: "linear", hashBits: 12 }) });
  });

  it("starts exactly one round when two processes submit the N-th judgements at once", async () => {
    const { db, file, projectId } = setup(30, { judgementsPerRound: 10 });
    db.$client.prepare("update tasks set required_judgements = 3").run();
    const people = Array.from({ length: 8 }, (_, i) => addUser(db, `racer${i}`).id);
    const workers = await Promise.all([people.slice(0, 4), people.slice(4)].map((ids) => startRaceWorker([file, String(projectId), ids.join(",")])));
    workers.forEach((w) => w.go());
    const totals = await Promise.all(workers.map((w) => w.result()));
    expect(totals.reduce((s, t) => s + t.submitted, 0)).toBe(90);
    expect(db.select().from(rounds).all()).toEqual([expect.objectContaining({ number: 1, trigger: "auto", status: "running" })]);
    expect(db.select().from(trainingRuns).all().map((r) => r.kind)).toEqual(["reward"]);
  });
});
