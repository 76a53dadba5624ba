import path from "node:path";
import { asc, eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { queueOrdering } from "../../core/queue-order";
import type { Db } from "../../db/client";
import { assignments, completions, projects, prompts, rewardModels, tasks, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { projectSettingsSchema, type ProjectSettings } from "../../db/types";
import { initBackend } from "../../trainer/backend";
import { ensureWorkerRunning } from "../../trainer/launcher";
import { importRows, plantedRows, queueRewardRun, saveTinyBackbone } from "../../trainer/reward/executor-fixtures";
import { loadRewardScorer } from "../../trainer/reward/scorer";
import { runOnce } from "../../trainer/worker/worker-loop";
import { createCaller } from "../root";
import { createInnerContext } from "../trpc";
import { pickNextTask } from "./assignment";
import { candidateQuery } from "./assignment-queue";
import { submitJudgement } from "./judgements";
import { reorderQueueNow } from "./queue-order";
import { undoLastJudgement } from "./judgements-actions";
import { addPrompt, addUser, pairProject } from "./tasks-fixtures";

// A neural model's ordering is the worker's: the test runs it here, through runOnce, instead of in a forked worker.
vi.mock("../../trainer/launcher", async (importOriginal) => ({ ...(await importOriginal<object>()), ensureWorkerRunning: vi.fn() }));

/**
 * Open pairs for the planted preference ("great" wins): two tell the marker apart (certain), one
 * shows the same text twice (a coin flip for any reward model), one differs in filler words only.
 * Imported in this order, so oldest-first serves them in this order.
 */
const OPEN_PAIRS = [
  { prompt: "new review 0:", completions: [" a great film", " a weak plot"] },
  { prompt: "new review 1:", completions: [" great cast and great plot", " not good"] },
  { prompt: "new review 2:", completions: [" the plot was weak", " the cast was good"] },
  { prompt: "new review 3:", completions: [" the movie was good", " the movie was good"] },
];

async function plantedQueue() {
  const { db, dir } = createTestDb();
  const projectId = await importRows(db, "active", plantedRows(80));
  await importRows(db, "active", OPEN_PAIRS, "completions");
  const open = db.select().from(tasks).where(eq(tasks.status, "open")).orderBy(asc(tasks.id)).all();
  const researcher = addUser(db, "rita", "researcher");
  const caller = createCaller(createInnerContext({ db, user: researcher }));
  const setOrder = (settings: Partial<ProjectSettings>) => caller.projects.update({ projectId, settings: { goldRate: 0, ...settings } });
  const runsRoot = path.join(dir, "runs");
  const trainReward = async (config: Record<string, unknown> = { kind: "linear", hashBits: 14 }) => {
    const run = queueRewardRun(db, projectId, config);
    await runOnce(db, { runsRoot });
    expect(db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()).toMatchObject({ status: "succeeded" });
    return db.select().from(rewardModels).where(eq(rewardModels.runId, run.id)).get()!;
  };
  await setOrder({});
  return { db, projectId, runsRoot, open: open.map((t) => t.id), setOrder, trainReward };
}

/** The order a fresh annotator is served the open tasks in: pick, judge, pick the next. */
function servedOrder(db: Db, projectId: number, name: string): number[] {
  const annotator = addUser(db, name);
  const served: number[] = [];
  for (let task = pickNextTask(db, annotator.id, projectId).task; task; task = pickNextTask(db, annotator.id, projectId).task) {
    served.push(task.taskId);
    submitJudgement(db, annotator.id, { taskId: task.taskId, idempotencyKey: `${name}-${task.taskId}`, answer: { kind: "pair", outcome: "tie" } });
  }
  return served;
}

/** The naive reference: each open task's |σ(r_a − r_b) − ½| under the saved model (its public scorer), smallest first (oldest first among equals). */
async function byUncertainty(db: Db, modelDir: string, taskIds: number[]): Promise<number[]> {
  const model = await loadRewardScorer(null, modelDir);
  const gaps = new Map(taskIds.map((taskId) => {
    const task = db.select().from(tasks).where(eq(tasks.id, taskId)).get()!;
    const prompt = db.select().from(prompts).where(eq(prompts.id, task.promptId)).get()!.text;
    const [a, b] = task.completionIds.map((id) => model.score([{ prompt, completion: db.select().from(completions).where(eq(completions.id, id)).get()!.text }])[0]!);
    return [taskId, Math.abs(1 / (1 + Math.exp(-(a! - b!))) - 0.5)];
  }));
  model.dispose();
  return [...taskIds].sort((x, y) => gaps.get(x)! - gaps.get(y)! || x - y);
}

describe("active learning: the queue in the project's order", () => {
  it("serves oldest first by default, the most uncertain pair first under uncertainty, and oldest first again when switched back", async () => {
    const { db, projectId, open, setOrder, trainReward } = await plantedQueue();
    const model = await trainReward();
    expect(servedOrder(db, projectId, "ann")).toEqual(open);

    await setOrder({ queueOrder: "uncertainty" });
    const expected = await byUncertainty(db, model.path, open);
    expect(expected[0]).toBe(open[3]); // the same text twice: σ(0) = ½ exactly
    expect(expected).not.toEqual(open);
    expect(servedOrder(db, projectId, "bob")).toEqual(expected);
    expect(queueOrdering(db, projectId)).toMatchObject({ queueOrder: "uncertainty", rewardModelId: model.id, pending: false, tasksScored: 4, note: null });

    await setOrder({ queueOrder: "oldest" });
    expect(servedOrder(db, projectId, "cyd")).toEqual(open);
  });

  it("keeps a sample run's priority band first: the score orders tasks within a band", async () => {
    const { db, projectId, open, setOrder, trainReward } = await plantedQueue();
    const model = await trainReward();
    db.update(tasks).set({ priority: 1 }).where(eq(tasks.id, open[0]!)).run(); // the most certain pair, as a new policy's sample
    await setOrder({ queueOrder: "uncertainty" });
    const rest = await byUncertainty(db, model.path, open.slice(1));
    expect(servedOrder(db, projectId, "ann")).toEqual([open[0], ...rest]);
  });

  it("waits for a reward model, then re-orders when the worker finishes one", async () => {
    const { db, projectId, open, setOrder, trainReward } = await plantedQueue();
    await setOrder({ queueOrder: "uncertainty" });
    expect(queueOrdering(db, projectId)).toMatchObject({ queueOrder: "uncertainty", rewardModelId: null, note: expect.stringMatching(/^no reward model yet/) });
    const model = await trainReward(); // the worker re-scores after the reward run, with the project's newest model
    expect(queueOrdering(db, projectId)).toMatchObject({ rewardModelId: model.id, tasksScored: 4, note: null });
    expect(servedOrder(db, projectId, "ann")).toEqual(await byUncertainty(db, model.path, open));
  });

  it("leaves a neural reward model's ordering to the worker, which scores the queue at its next pause", async () => {
    await initBackend();
    const { db, projectId, runsRoot, open, setOrder, trainReward } = await plantedQueue();
    const model = await trainReward({ kind: "neural", base: saveTinyBackbone(3), maxSteps: 2, batchSize: 4, evalInterval: 2 });
    await setOrder({ queueOrder: "uncertainty" });
    expect(queueOrdering(db, projectId)).toMatchObject({ rewardModelId: model.id, pending: true, note: expect.stringMatching(/^the worker scores the queue with neural reward model/) });
    expect(vi.mocked(ensureWorkerRunning)).toHaveBeenCalled();
    expect(servedOrder(db, projectId, "early")).toEqual(open); // not yet re-ordered

    expect(await runOnce(db, { runsRoot })).toBe(false); // an empty queue: the worker's pause
    expect(queueOrdering(db, projectId)).toMatchObject({ rewardModelId: model.id, pending: false, tasksScored: 4, note: null });
    const expected = await byUncertainty(db, model.path, open);
    expect(expected[0]).toBe(open[3]);
    expect(servedOrder(db, projectId, "ann")).toEqual(expected);
  });

  it("leaves a queue too big to score on the request path to the worker", async () => {
    const { db, projectId, runsRoot, open, trainReward } = await plantedQueue();
    const model = await trainReward();
    db.update(projects).set({ settings: projectSettingsSchema.parse({ goldRate: 0, queueOrder: "uncertainty" }) }).where(eq(projects.id, projectId)).run();
    expect(await reorderQueueNow(db, projectId, 3)).toMatchObject({ pending: true, rewardModelId: model.id, note: "the worker orders the 4 open tasks at its next pause" });
    expect(firstServed(db, projectId, "early")).toBe(open[0]);
    await runOnce(db, { runsRoot });
    expect(queueOrdering(db, projectId)).toMatchObject({ pending: false, tasksScored: 4, note: null });
    expect(firstServed(db, projectId, "late")).toBe(open[3]);
  });

  it("serves the tasks whose annotators disagree first, updating a task's place as its judgements arrive", async () => {
    const { db, projectId, taskIds } = pairProject(4, { judgementsPerTask: 5 });
    /** `name` judges `taskId`: the task's canonical completion `winner` is better, seen in canonical or reversed order. */
    const judge = (name: string, taskId: number, winner: 0 | 1, reversed: boolean) => {
      const annotator = addUser(db, name);
      const canonical = db.select().from(tasks).where(eq(tasks.id, taskId)).get()!.completionIds;
      const shown = reversed ? [...canonical].reverse() : canonical;
      db.insert(assignments).values({ taskId, annotatorId: annotator.id, projectId, displayOrder: shown, expiresAt: new Date(Date.now() + 60_000) }).run(); // the lease, as pickNextTask writes it
      submitJudgement(db, annotator.id, { taskId, idempotencyKey: `${name}-key`, answer: { kind: "pair", outcome: shown[0] === canonical[winner] ? "left" : "right", strength: 2 } });
      return annotator.id;
    };
    // task 1: two annotators, different winners; task 2: two annotators, the same winner seen from both sides; task 3: one judgement.
    judge("a1", taskIds[1]!, 0, false);
    judge("a2", taskIds[1]!, 1, false);
    judge("b1", taskIds[2]!, 0, false);
    judge("b2", taskIds[2]!, 0, true);
    judge("c1", taskIds[3]!, 0, true);

    const researcher = addUser(db, "rita", "researcher");
    await createCaller(createInnerContext({ db, user: researcher })).projects.update({ projectId, settings: { queueOrder: "disagreement" } });
    expect(firstServed(db, projectId, "x1")).toBe(taskIds[1]);
    expect(queueOrdering(db, projectId)).toMatchObject({ queueOrder: "disagreement", tasksScored: 2 });

    const scoreOf = (taskId: number) => db.select().from(tasks).where(eq(tasks.id, taskId)).get()!.queueScore;
    const c2 = judge("c2", taskIds[3]!, 1, false); // task 3 now splits its annotators too
    expect(scoreOf(taskIds[3]!)).toBe(0.5);
    undoLastJudgement(db, c2, projectId);
    expect(scoreOf(taskIds[3]!)).toBe(0);
    judge("c3", taskIds[3]!, 1, true);
    expect(scoreOf(taskIds[3]!)).toBe(0.5);
    expect(servedOrder(db, projectId, "x2")).toEqual([taskIds[1], taskIds[3], taskIds[0], taskIds[2]]);
  });

  it("keeps the queue pick a single walk of tasks_queue_idx, with no sort", () => {
    const { db, projectId } = pairProject(3);
    addPrompt(db, projectId, 2);
    for (const gold of [false, true]) {
      const plan = db.all<{ detail: string }>(sql`explain query plan ${candidateQuery(1, projectId, gold, new Date())}`).map((r) => r.detail);
      expect(plan.some((d) => /SEARCH t USING INDEX tasks_queue_idx \(project_id=\? AND status=\? AND is_gold=\?\)/.test(d)), plan.join("\n")).toBe(true);
      expect(plan.filter((d) => /TEMP B-TREE/.test(d)), plan.join("\n")).toEqual([]);
    }
  });
});

function firstServed(db: Db, projectId: number, name: string): number | undefined {
  return pickNextTask(db, addUser(db, name).id, projectId).task?.taskId;
}
