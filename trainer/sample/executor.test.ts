import os from "node:os";
import { asc, eq } from "drizzle-orm";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { ensureBuiltinPolicy } from "../../core/policy-versions";
import { createTasks } from "../../core/tasks";
import type { Db } from "../../db/client";
import { completions, policies, projects, prompts, runArtifacts, runEvents, tasks, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { defaultProjectSettings } from "../../db/types";
import { pickNextTask } from "../../server/services/assignment";
import { addUser } from "../../server/services/tasks-fixtures";
import { runOnce } from "../worker/worker-loop";
import { RunCancelled } from "../worker/run-context";
import { sampleConfigSchema } from "./config";
import { sampleExecutor, sampleIntoTasks, sampleSeed } from "./executor";

const runsRoot = os.tmpdir();
const LONG = Array.from({ length: 120 }, (_, i) => `word${i}`).join(" "); // far beyond the built-in policy's 64 positions

/** A project with `n` prompts (one empty, one longer than the context) and the built-in policy with a child version of it. */
function setup(n = 5) {
  const { db } = createTestDb();
  const projectId = db.insert(projects).values({ name: "loop", settings: { ...defaultProjectSettings(), judgementsPerTask: 2, goldRate: 0 } }).returning().get().id;
  const texts = ["", LONG, ...Array.from({ length: n - 2 }, (_, i) => `The film ${i} is`)];
  const promptIds = texts.map((text) => db.insert(prompts).values({ projectId, text }).returning().get().id);
  const builtin = ensureBuiltinPolicy(db);
  const child = db.insert(policies).values({ name: "builtin", kind: "checkpoint", version: 2, parentId: builtin.id, path: builtin.path, projectId }).returning().get();
  return { db, projectId, promptIds, builtin, child };
}

async function runSample(db: Db, projectId: number, config: Record<string, unknown>) {
  const run = db.insert(trainingRuns).values({ kind: "sample", projectId, config: sampleConfigSchema.parse(config) }).returning().get();
  await runOnce(db, { runsRoot, executors: { sample: sampleExecutor } });
  return {
    run: db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()!,
    events: db.select().from(runEvents).where(eq(runEvents.runId, run.id)).orderBy(asc(runEvents.id)).all(),
    artifacts: db.select().from(runArtifacts).where(eq(runArtifacts.runId, run.id)).all(),
  };
}

const allTasks = (db: Db) => db.select().from(tasks).orderBy(asc(tasks.id)).all();
const completionsById = (db: Db) => new Map(db.select().from(completions).all().map((c) => [c.id, c]));
const hooks = { progress: () => {}, throwIfCancelled: () => {} };

describe("the sample executor", () => {
  it("samples the newest policy and its parent on held-out prompts into priority pair tasks, each completion attributed with its sampling params", async () => {
    const { db, projectId, promptIds, builtin, child } = setup();
    const { run, events, artifacts } = await runSample(db, projectId, { maxNewTokens: 6, maxPrompts: 3 });
    expect(run, run.error ?? "").toMatchObject({ status: "succeeded", totalSteps: 3, step: 3 });
    const made = allTasks(db);
    expect(made).toHaveLength(3);
    const byId = completionsById(db);
    for (const task of made) {
      expect(task).toMatchObject({ kind: "pair", priority: 1, requiredJudgements: 2, status: "open", isGold: false });
      const [newer, older] = task.completionIds.map((id) => byId.get(id)!);
      expect([newer!.policyId, older!.policyId]).toEqual([child.id, builtin.id]);
      for (const c of [newer!, older!]) {
        expect(c).toMatchObject({ promptId: task.promptId, origin: "policy" });
        expect(c.samplingParams).toEqual({ temperature: 1, maxNewTokens: 6, seed: sampleSeed(42, task.promptId, c.policyId!, 0) });
      }
    }
    expect(new Set(made.map((t) => t.promptId)).size).toBe(3);
    expect(made.every((t) => promptIds.includes(t.promptId))).toBe(true);
    expect(artifacts).toEqual([expect.objectContaining({ kind: "samples", metadata: { tasksCreated: 3, prompts: 3, policies: [child.id, builtin.id] } })]);
    expect(events.map((e) => e.step)).toEqual([0, 1, 2, 3]);
    expect((tf.engine() as unknown as { backendInstance: unknown }).backendInstance ?? null).toBeNull(); // ONNX only: no tfjs backend started
    expect(events[0]!.message).toMatch(/^3 held-out prompts × builtin@2 \(id \d+\), builtin@1 \(id \d+\) × 1 samples → pair tasks, priority 1$/);
  }, 60_000);

  it("keeps the empty and the over-long prompt: eos stands in for the first, the second keeps its end", async () => {
    const { db, projectId, promptIds, builtin } = setup(2);
    const { run } = await runSample(db, projectId, { policyIds: [builtin.id], samplesPerPolicy: 2, maxNewTokens: 40, prompts: promptIds });
    expect(run, run.error ?? "").toMatchObject({ status: "succeeded" });
    expect(allTasks(db).map((t) => t.promptId).sort()).toEqual(promptIds);
  }, 60_000);

  it("spreads repeated runs over new prompts, and makes no duplicate task or completion when the same draws come again", async () => {
    const { db, projectId } = setup(5);
    await runSample(db, projectId, { maxNewTokens: 4, maxPrompts: 3 });
    const second = await runSample(db, projectId, { maxNewTokens: 4, maxPrompts: 3 });
    expect(second.artifacts[0]!.metadata).toMatchObject({ tasksCreated: 2, prompts: 2 });
    expect(new Set(allTasks(db).map((t) => t.promptId)).size).toBe(5);
    const third = await runSample(db, projectId, { maxNewTokens: 4 });
    expect(third.run.status).toBe("succeeded");
    expect(third.artifacts[0]!.metadata).toMatchObject({ tasksCreated: 0, prompts: 0 });

    const before = db.select().from(completions).all().length;
    const again = await runSample(db, projectId, { maxNewTokens: 4, prompts: "all" });
    expect(again.artifacts[0]!.metadata).toMatchObject({ tasksCreated: 0, prompts: 5 });
    expect(db.select().from(completions).all()).toHaveLength(before);
    expect(allTasks(db)).toHaveLength(5);
  }, 90_000);

  it("makes rank and correction tasks of every sample of a prompt, with the asked priority and overlap", async () => {
    const { db, projectId, builtin, child } = setup(3);
    const third = db.insert(policies).values({ name: "builtin", kind: "checkpoint", version: 3, parentId: child.id, path: builtin.path, projectId }).returning().get();
    const rank = await runSample(db, projectId, { policyIds: [third.id, child.id, builtin.id], layout: "rank", maxNewTokens: 4, maxPrompts: 2, priority: 5, requiredJudgements: 1 });
    expect(rank.run, rank.run.error ?? "").toMatchObject({ status: "succeeded" });
    const ranked = allTasks(db);
    expect(ranked.map((t) => [t.kind, t.completionIds.length, t.priority, t.requiredJudgements])).toEqual([["rank", 3, 5, 1], ["rank", 3, 5, 1]]);
    const byId = completionsById(db);
    expect(ranked[0]!.completionIds.map((id) => byId.get(id)!.policyId)).toEqual([third.id, child.id, builtin.id]);

    await runSample(db, projectId, { policyIds: [child.id, builtin.id], samplesPerPolicy: 2, layout: "correction", maxNewTokens: 4, prompts: "all", seed: 7 });
    const corrections = allTasks(db).filter((t) => t.kind === "correction");
    expect(corrections).toHaveLength(3);
    expect(corrections.every((t) => t.completionIds.length === 4 && t.priority === 1 && t.requiredJudgements === 2)).toBe(true);
  }, 90_000);

  it("refuses layouts the policies cannot fill and policies that cannot answer (imported text, no checkpoint), before sampling anything", async () => {
    const { db, projectId, builtin } = setup(3);
    const lonely = await runSample(db, projectId, { policyIds: [builtin.id] });
    expect(lonely.run.error).toMatch(/a pair layout needs two policies, or samplesPerPolicy 2 or more/);
    const imported = db.insert(policies).values({ name: "arena-model", kind: "imported" }).returning().get();
    expect((await runSample(db, projectId, { policyIds: [imported.id, builtin.id] })).run.error).toMatch(/has no checkpoint/);
    const gone = db.insert(policies).values({ name: "gone", kind: "checkpoint", path: "/nonexistent/policy" }).returning().get();
    expect((await runSample(db, projectId, { policyIds: [gone.id, builtin.id] })).run.error).toMatch(/^policy gone@1 \(id \d+\) cannot be opened/);
    expect(allTasks(db)).toEqual([]);
    expect(db.select().from(completions).all()).toEqual([]);
  }, 60_000);

  it("stopped part-way, leaves whole prompts (their completions and tasks) and says how many tasks it made", async () => {
    const { db, projectId } = setup(5);
    let checks = 0;
    const messages: string[] = [];
    const failing = { progress: (e: { message?: string }) => void messages.push(e.message ?? ""), throwIfCancelled: () => { if (++checks === 3) throw new Error("disk full"); } };
    const c = sampleConfigSchema.parse({ maxNewTokens: 4, prompts: "all" });
    await expect(sampleIntoTasks(db, projectId, c, failing)).rejects.toThrow("disk full; 2 tasks from 2 of 5 prompts were created before it stopped");
    expect(messages.at(-1)).toMatch(/^stopped: 2 tasks from 2 of 5 prompts/);
    const made = allTasks(db);
    expect(made).toHaveLength(2);
    const inTasks = new Set(made.flatMap((t) => t.completionIds));
    expect(db.select().from(completions).all().map((r) => r.id).sort()).toEqual([...inTasks].sort());

    checks = 0;
    const cancelled = { ...hooks, throwIfCancelled: () => { if (++checks === 4) throw new RunCancelled(); } };
    await expect(sampleIntoTasks(db, projectId, c, cancelled)).rejects.toBeInstanceOf(RunCancelled);
    expect(allTasks(db)).toHaveLength(3); // the same first two draws again (reused, no new task), then one new prompt
  }, 60_000);

  it("puts the new samples before the older backlog in an annotator's queue", async () => {
    const { db, projectId, promptIds, builtin, child } = setup(3);
    // An older task of the last prompt, from imported completions.
    const old = [1, 2].map((i) => db.insert(completions).values({ promptId: promptIds[2]!, origin: "import", text: `old ${i}` }).returning().get().id);
    const [backlog] = createTasks(db, projectId, "pair", [{ promptId: promptIds[2]!, completionIds: old }]).created;
    await runSample(db, projectId, { policyIds: [child.id, builtin.id], prompts: [promptIds[0]!], maxNewTokens: 4 });
    const sampled = allTasks(db).find((t) => t.id !== backlog)!;
    const ann = addUser(db, "ann");
    const first = pickNextTask(db, ann.id, projectId).task!;
    const second = pickNextTask(db, ann.id, projectId, { another: true }).task!;
    expect([first.taskId, second.taskId]).toEqual([sampled.id, backlog]);
    expect(first.completions.map((c) => c.text).sort()).toEqual(sampled.completionIds.map((id) => completionsById(db).get(id)!.text).sort());
  }, 60_000);
});
