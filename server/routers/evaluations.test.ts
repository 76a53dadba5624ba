import path from "node:path";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createPairTasks } from "../../core/tasks";
import { policyForDirectory } from "../../core/policy-versions";
import type { PairOutcome } from "../../db/enums";
import { completions, judgements, policies, prompts, tasks, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { initBackend } from "../../trainer/backend";
import { evaluateExecutor } from "../../trainer/evaluate/executor";
import { rewardExecutor } from "../../trainer/reward/executor";
import { sampleExecutor } from "../../trainer/sample/executor";
import { importRows, plantedRows, queueRewardRun, saveTinyBackbone } from "../../trainer/reward/executor-fixtures";
import { runOnce } from "../../trainer/worker/worker-loop";
import { createCaller } from "../root";
import { createUser } from "../services/auth";
import { createInnerContext } from "../trpc";

// Runs execute here, through runOnce, instead of in a forked worker.
vi.mock("../../trainer/launcher", async (importOriginal) => ({ ...(await importOriginal<object>()), ensureWorkerRunning: vi.fn() }));

beforeAll(async () => {
  await initBackend(); // the tiny checkpoints' random weights are made with tfjs
});

const executors = { reward: rewardExecutor, evaluate: evaluateExecutor, sample: sampleExecutor };
const codeOf = (promise: Promise<unknown>) => promise.then(() => "OK", (e) => (e instanceof TRPCError ? `${e.code}: ${e.message}` : String(e)));

/** Judged pairs, a linear reward model, a base checkpoint and its child version, 4 unlabelled prompts. */
async function setup() {
  const { db, dir } = createTestDb();
  const researcher = createUser(db, { username: "rita", password: "password1", role: "researcher" });
  const annotator = createUser(db, { username: "anna", password: "password1", role: "annotator" });
  const as = (user: typeof researcher) => createCaller(createInnerContext({ db, user }));
  const projectId = await importRows(db, "evals", plantedRows(30));
  queueRewardRun(db, projectId, { kind: "linear", hashBits: 12 });
  const work = () => runOnce(db, { runsRoot: path.join(dir, "runs"), executors });
  await work();
  const base = policyForDirectory(db, saveTinyBackbone(1));
  const child = db.insert(policies).values({ name: base.name, version: 2, kind: "checkpoint", parentId: base.id, path: saveTinyBackbone(2), projectId }).returning().get();
  await importRows(db, "evals", Array.from({ length: 4 }, (_, i) => ({ prompt: `unseen ${i}:` })), "prompts");
  return { db, as, researcher, annotator, projectId, base, child, work };
}

describe("evaluations router", () => {
  it("create fixes the base to the root of the policy's lineage, and list shows RM win rate, mean reward and KL once the run succeeded", async () => {
    const { as, researcher, projectId, base, child, work } = await setup();
    const choices = await as(researcher).evaluations.policies({ projectId });
    expect(choices.find((p) => p.id === child.id)).toMatchObject({ label: `${base.name}@2`, parent: `${base.name}@1` });
    const run = await as(researcher).evaluations.create({ projectId, config: { policyIds: [child.id], maxNewTokens: 4 } });
    expect(run).toMatchObject({ kind: "evaluate", status: "queued", config: { policyIds: [child.id], baseId: base.id, prompts: "test" } });
    expect((await as(researcher).evaluations.list({ projectId }))[0]).toMatchObject({ run: { id: run.id, status: "queued" }, rows: [] });
    await work();
    const [evaluation] = await as(researcher).evaluations.list({ projectId });
    expect(evaluation).toMatchObject({ run: { status: "succeeded" }, base: { id: base.id, label: `${base.name}@1` } });
    const row = evaluation!.rows[0]!;
    expect(row).toMatchObject({ policyId: child.id, prompts: 4, rewardModelId: 1, human: { games: 0, winRate: null }, humanRun: null });
    expect(row.metrics.klToBase).toBeGreaterThan(0);
    expect(row.metrics.alignmentAccuracy).toBeGreaterThanOrEqual(0);
    expect(typeof row.metrics.meanReward).toBe("number");
    expect(row.samples[0]).toMatchObject({ prompt: "unseen 0:" });
    expect(await as(researcher).evaluations.get({ runId: run.id })).toEqual(evaluation);
    expect(await as(researcher).evaluations.humanPlan({ runId: run.id })).toEqual({ tasks: 4, policies: [{ policy: `${base.name}@2`, prompts: 4 }] });
  }, 60_000);

  it("create refuses no policies, a policy of another project, and a project whose prompts were all judged; annotators are kept out", async () => {
    const { db, as, researcher, annotator, projectId, child } = await setup();
    const otherProject = await importRows(db, "other", [{ prompt: "elsewhere" }], "prompts");
    const other = db.insert(policies).values({ name: "elsewhere", kind: "checkpoint", path: "/x", projectId: otherProject }).returning().get();
    expect(await codeOf(as(researcher).evaluations.create({ projectId, config: { policyIds: [] } }))).toBe("BAD_REQUEST: Pick at least one policy to evaluate.");
    expect(await codeOf(as(researcher).evaluations.create({ projectId, config: { policyIds: [other.id] } }))).toBe(`BAD_REQUEST: Policies ${other.id} are not checkpoints or endpoints of this project (or the built-in one).`);
    expect(await codeOf(as(researcher).evaluations.create({ projectId, config: { policyIds: [child.id], maxPrompts: 0 } }))).toMatch(/^BAD_REQUEST: Invalid evaluate config: .*maxPrompts/s);
    db.delete(prompts).where(eq(prompts.text, "unseen 0:")).run();
    for (let i = 1; i < 4; i++) db.delete(prompts).where(eq(prompts.text, `unseen ${i}:`)).run();
    expect(await codeOf(as(researcher).evaluations.create({ projectId, config: { policyIds: [child.id] } }))).toMatch(/^BAD_REQUEST: This project has no held-out prompts/);
    expect(await codeOf(as(annotator).evaluations.list({ projectId }))).toMatch(/^FORBIDDEN/);
    expect(await codeOf(as(annotator).evaluations.create({ projectId, config: { policyIds: [child.id] } }))).toMatch(/^FORBIDDEN/);
  }, 60_000);

  it("human win rate resolves pair outcomes through display order and the completions' policies: ties half, both-bad apart", async () => {
    const { db, as, researcher, annotator, projectId, base, child, work } = await setup();
    const run = await as(researcher).evaluations.create({ projectId, config: { policyIds: [child.id], maxNewTokens: 4 } });
    await work();
    const [evaluation] = await as(researcher).evaluations.list({ projectId });
    const promptIds = db.select({ id: prompts.id }).from(prompts).where(eq(prompts.projectId, projectId)).all().slice(-4).map((p) => p.id);
    const add = (promptId: number, policyId: number) => db.insert(completions).values({ promptId, policyId, origin: "policy", text: `by ${policyId}` }).returning().get().id;
    const pairs = promptIds.map((promptId) => ({ promptId, ours: add(promptId, child.id), theirs: add(promptId, base.id) }));
    const { created } = createPairTasks(db, projectId, pairs.map((p) => ({ promptId: p.promptId, completionIds: [p.ours, p.theirs] })));
    // Displayed ours-left: left wins (a win), tie; displayed ours-right: left wins (a loss), right wins (a win); one both-bad.
    const judged: Array<[number, [number, number], PairOutcome]> = [
      [0, [pairs[0]!.ours, pairs[0]!.theirs], "left"], [1, [pairs[1]!.ours, pairs[1]!.theirs], "tie"],
      [2, [pairs[2]!.theirs, pairs[2]!.ours], "left"], [3, [pairs[3]!.theirs, pairs[3]!.ours], "right"], [0, [pairs[0]!.theirs, pairs[0]!.ours], "both_bad"],
    ];
    for (const [i, shown, outcome] of judged) db.insert(judgements).values({ taskId: created[i]!, annotatorId: annotator.id, source: "human", outcome, displayOrder: shown }).run();
    const human = (await as(researcher).evaluations.get({ runId: run.id })).rows[0]!.human;
    expect(human).toMatchObject({ wins: 2, losses: 1, ties: 1, bothBad: 1, games: 4, winRate: 2.5 / 4 });
    expect(human.low!).toBeLessThan(0.625);
    expect(human.high!).toBeGreaterThan(0.625);
    expect(evaluation!.rows[0]!.human.games).toBe(0);
  }, 60_000);

  it("createHumanEvaluation queues one high-priority pair sample run per policy against the base, once", async () => {
    const { db, as, researcher, annotator, projectId, base, child, work } = await setup();
    const run = await as(researcher).evaluations.create({ projectId, config: { policyIds: [child.id, base.id], maxNewTokens: 4 } });
    expect(await codeOf(as(researcher).evaluations.createHumanEvaluation({ runId: run.id }))).toBe(`CONFLICT: Evaluation run ${run.id} has not succeeded yet (it is queued).`);
    await work();
    expect(await codeOf(as(annotator).evaluations.createHumanEvaluation({ runId: run.id }))).toMatch(/^FORBIDDEN/);
    const result = await as(researcher).evaluations.createHumanEvaluation({ runId: run.id });
    const evaluationPromptIds = db.select({ id: prompts.id }).from(prompts).where(eq(prompts.projectId, projectId)).all().slice(-4).map((p) => p.id);
    expect(result.tasks).toBe(4); // the base against itself is skipped
    const sample = db.select().from(trainingRuns).where(eq(trainingRuns.id, result.runIds[0]!)).get()!;
    expect(sample).toMatchObject({ kind: "sample", projectId, status: "queued", config: { policyIds: [child.id, base.id], layout: "pair", priority: 10, prompts: evaluationPromptIds } });
    expect((await as(researcher).evaluations.get({ runId: run.id })).rows[0]!.humanRun).toEqual({ id: sample.id, status: "queued" });
    await work();
    const made = db.select().from(tasks).where(eq(tasks.priority, 10)).all();
    expect(made.map((t) => [t.kind, t.promptId])).toEqual(evaluationPromptIds.map((id) => ["pair", id]));
    const shown = db.select().from(completions).where(eq(completions.promptId, made[0]!.promptId)).all().filter((c) => made[0]!.completionIds.includes(c.id));
    expect(shown.map((c) => c.policyId).sort()).toEqual([base.id, child.id].sort());
    expect(await codeOf(as(researcher).evaluations.createHumanEvaluation({ runId: run.id }))).toMatch(/^CONFLICT: Every policy of this evaluation already has a blind human comparison/);
  }, 60_000);
});
