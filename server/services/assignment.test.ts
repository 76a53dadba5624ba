import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client";
import { assignments, tasks } from "../../db/schema";
import { pickNextTask } from "./assignment";
import { wantsGold } from "./assignment-queue";
import { submitJudgement } from "./judgements";
import { skipTask } from "./judgements-actions";
import { createPairTasks, createRankTasks } from "./tasks";
import { addPrompt, addUser, labelingDb, pairProject } from "./tasks-fixtures";

const T0 = new Date("2026-03-01T10:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const pair = (outcome: "left" | "right" = "left") => ({ kind: "pair" as const, outcome, strength: 2 });


describe("pickNextTask", () => {
  it("shows the prompt and the completions in the stored display order, and no policy", () => {
    const { db, projectId } = labelingDb({ judgementsPerTask: 1 });
    const { promptId, completionIds } = addPrompt(db, projectId, 4, "Rank these");
    createRankTasks(db, projectId, [{ promptId, completionIds }]);
    const ann = addUser(db, "ann");
    const next = pickNextTask(db, ann.id, projectId, { now: T0 });
    const stored = db.select().from(assignments).get()!;
    expect(next.task!.kind).toBe("rank");
    expect(next.task!.prompt.text).toBe("Rank these");
    expect(next.task!.completions.map((c) => c.id)).toEqual(stored.displayOrder);
    expect([...stored.displayOrder].sort()).toEqual([...completionIds].sort());
    expect(next.task!.completions[0]!.text).toMatch(/^answer \d to Rank these$/);
    expect(next.task!.leaseExpiresAt).toEqual(at(900));
    expect(JSON.stringify(next)).not.toMatch(/secret-policy-name|policy|gold/i);
  });

  it("gives a reload the same task in the same order while the lease lasts", () => {
    const { db, projectId } = pairProject(3);
    const ann = addUser(db, "ann");
    const first = pickNextTask(db, ann.id, projectId, { now: T0 });
    const again = pickNextTask(db, ann.id, projectId, { now: at(100) });
    expect(again.task).toEqual(first.task);
    expect(db.select().from(assignments).all()).toHaveLength(1);
  });

  it("randomises left and right per assignment", () => {
    const { db, projectId } = labelingDb({ judgementsPerTask: 50 });
    const { promptId, completionIds } = addPrompt(db, projectId, 2);
    createPairTasks(db, projectId, [{ promptId, completionIds }]);
    const lefts = new Set<number>();
    for (let i = 0; i < 40; i++) lefts.add(pickNextTask(db, addUser(db, `a${i}`).id, projectId, { now: T0 }).task!.completions[0]!.id);
    expect(lefts).toEqual(new Set(completionIds)); // both orders: fails with probability 2^-39
  });

  it("never gives an annotator a task they already judged or skipped", () => {
    const { db, projectId, taskIds } = pairProject(2, { judgementsPerTask: 3 });
    const ann = addUser(db, "ann");
    const first = pickNextTask(db, ann.id, projectId, { now: T0 }).task!;
    submitJudgement(db, ann.id, { taskId: first.taskId, idempotencyKey: "k1", answer: pair() }, at(10));
    const second = pickNextTask(db, ann.id, projectId, { now: at(11) }).task!;
    expect([first.taskId, second.taskId].sort()).toEqual(taskIds);
    skipTask(db, ann.id, { taskId: second.taskId, reason: "cannot read it" });
    expect(pickNextTask(db, ann.id, projectId, { now: at(12) }).task).toBeNull();
  });

  it("never gives an annotator the same unordered pair of a prompt twice, even as another task", () => {
    const { db, projectId } = labelingDb();
    const { promptId, completionIds: [a, b] } = addPrompt(db, projectId, 2);
    const [first] = createPairTasks(db, projectId, [{ promptId, completionIds: [a!, b!] }]).created;
    // An import can bring a second task over the same set; the engine must still not repeat it.
    const dup = db.insert(tasks).values({ projectId, promptId, kind: "pair", completionIds: [b!, a!], completionSetKey: `${a},${b}`, requiredJudgements: 3 }).returning().get();
    const ann = addUser(db, "ann");
    expect(pickNextTask(db, ann.id, projectId, { now: T0 }).task!.taskId).toBe(first);
    submitJudgement(db, ann.id, { taskId: first!, idempotencyKey: "k", answer: pair() }, at(5));
    expect(pickNextTask(db, ann.id, projectId, { now: at(6) }).task).toBeNull();
    expect(pickNextTask(db, addUser(db, "bob").id, projectId, { now: at(6) }).task!.taskId).toBe(first);
    expect(pickNextTask(db, addUser(db, "cy").id, projectId, { now: at(6) }).task!.taskId).toBe(first);
    expect(pickNextTask(db, addUser(db, "di").id, projectId, { now: at(6) }).task!.taskId).toBe(dup.id);
  });

  it("never serves a task holding a pair of completions the annotator already ordered, whatever the task's kind", () => {
    const { db, projectId } = labelingDb({ judgementsPerTask: 3 });
    const { promptId, completionIds: [c1, c2, c3, c4] } = addPrompt(db, projectId, 4);
    const [pair12] = createPairTasks(db, projectId, [{ promptId, completionIds: [c1!, c2!] }]).created;
    const [rank312] = createRankTasks(db, projectId, [{ promptId, completionIds: [c3!, c1!, c2!] }]).created;
    const [pair23, pair34] = createPairTasks(db, projectId, [{ promptId, completionIds: [c2!, c3!] }, { promptId, completionIds: [c3!, c4!] }]).created;
    const judge = (annotatorId: number, second: number) => {
      const task = pickNextTask(db, annotatorId, projectId, { now: at(second) }).task;
      if (task === null) return null;
      const answer = task.kind === "rank" ? { kind: "rank" as const, ranking: task.completions.map((c) => [c.id]) } : pair();
      submitJudgement(db, annotatorId, { taskId: task.taskId, idempotencyKey: `${annotatorId}-${second}`, answer }, at(second + 1));
      return task.taskId;
    };
    // After (1, 2), the ranking [3, 1, 2] repeats that pair; (2, 3) and (3, 4) share one completion at most.
    const ann = addUser(db, "ann");
    expect([0, 10, 20, 30].map((s) => judge(ann.id, s))).toEqual([pair12, pair23, pair34, null]);
    // Judged first, the ranking orders (1, 2), (1, 3) and (2, 3): of the pairs only (3, 4) is left.
    const bob = addUser(db, "bob");
    db.update(tasks).set({ status: "retired" }).where(eq(tasks.id, pair12!)).run();
    expect([40, 50, 60].map((s) => judge(bob.id, s))).toEqual([rank312, pair34, null]);
  });

  it("counts a skipped or held task as shown: its pairs are not served again inside another task", () => {
    const { db, projectId } = labelingDb({ maxActiveLeases: 3 });
    const { promptId, completionIds: [c1, c2, c3] } = addPrompt(db, projectId, 3);
    const [rank] = createRankTasks(db, projectId, [{ promptId, completionIds: [c1!, c2!, c3!] }]).created;
    const [pair13] = createPairTasks(db, projectId, [{ promptId, completionIds: [c1!, c3!] }]).created;
    const ann = addUser(db, "ann");
    expect(pickNextTask(db, ann.id, projectId, { now: T0 }).task!.taskId).toBe(rank);
    skipTask(db, ann.id, { taskId: rank!, reason: "too long" });
    expect(pickNextTask(db, ann.id, projectId, { now: at(1) })).toMatchObject({ task: null, progress: { tasksRemaining: 0 } });
    const bob = addUser(db, "bob");
    expect(pickNextTask(db, bob.id, projectId, { now: at(2) }).task!.taskId).toBe(rank);
    expect(pickNextTask(db, bob.id, projectId, { now: at(2), another: true }).task).toBeNull();
    db.update(tasks).set({ status: "retired" }).where(eq(tasks.id, rank!)).run();
    expect(pickNextTask(db, addUser(db, "cy").id, projectId, { now: at(3) }).task!.taskId).toBe(pair13);
  });

  it("leases a task to at most as many annotators as it still needs", () => {
    const { db, projectId, taskIds } = pairProject(1, { judgementsPerTask: 2 });
    const [a, b, c] = ["a", "b", "c"].map((name) => addUser(db, name));
    expect(pickNextTask(db, a!.id, projectId, { now: T0 }).task!.taskId).toBe(taskIds[0]);
    expect(pickNextTask(db, b!.id, projectId, { now: T0 }).task!.taskId).toBe(taskIds[0]);
    expect(pickNextTask(db, c!.id, projectId, { now: T0 }).task).toBeNull();
    submitJudgement(db, a!.id, { taskId: taskIds[0]!, idempotencyKey: "k", answer: pair() }, at(30));
    expect(pickNextTask(db, c!.id, projectId, { now: at(31) }).task).toBeNull();
  });

  it("leases the last slot to exactly one of two annotators on two connections", () => {
    const { db, file, projectId, taskIds } = pairProject(1, { judgementsPerTask: 1 });
    const [a, b] = ["a", "b"].map((name) => addUser(db, name));
    const [connA, connB] = [openDatabase(file), openDatabase(file)];
    const got = [pickNextTask(connA, a!.id, projectId, { now: T0 }).task, pickNextTask(connB, b!.id, projectId, { now: T0 }).task];
    expect(got.map((t) => t?.taskId ?? null)).toEqual([taskIds[0], null]);
    connA.$client.close();
    connB.$client.close();
  });

  it("puts an expired lease back in the queue and renews it for its holder while nobody took it", () => {
    const { db, projectId, taskIds } = pairProject(1, { judgementsPerTask: 1, leaseSeconds: 60 });
    const [a, b] = ["a", "b"].map((name) => addUser(db, name));
    pickNextTask(db, a!.id, projectId, { now: T0 });
    expect(pickNextTask(db, b!.id, projectId, { now: at(59) }).task).toBeNull();
    const back = pickNextTask(db, a!.id, projectId, { now: at(120) }).task!;
    expect(back).toMatchObject({ taskId: taskIds[0], leaseExpiresAt: at(180) });
    const taken = pickNextTask(db, b!.id, projectId, { now: at(181) }).task!;
    expect(taken.taskId).toBe(taskIds[0]);
    expect(pickNextTask(db, a!.id, projectId, { now: at(182) }).task).toBeNull();
    expect(db.select({ status: assignments.status }).from(assignments).where(eq(assignments.annotatorId, a!.id)).get()!.status).toBe("expired");
  });

  it("caps the tasks one annotator holds at once", () => {
    const { db, projectId } = pairProject(4, { maxActiveLeases: 2 });
    const ann = addUser(db, "ann");
    const first = pickNextTask(db, ann.id, projectId, { now: T0 });
    const second = pickNextTask(db, ann.id, projectId, { now: T0, another: true });
    expect(second.task!.taskId).not.toBe(first.task!.taskId);
    expect(second.progress.heldLeases).toBe(2);
    expect(() => pickNextTask(db, ann.id, projectId, { now: T0, another: true })).toThrow(/already hold 2 tasks/);
    expect(pickNextTask(db, ann.id, projectId, { now: T0 }).task!.taskId).toBe(first.task!.taskId);
  });

  it("serves a higher-priority task first, then the oldest within a priority, each once", () => {
    const { db, projectId } = labelingDb({ judgementsPerTask: 1, maxActiveLeases: 10 });
    const made = (priority: number, text: string) => {
      const { promptId, completionIds } = addPrompt(db, projectId, 2, text);
      return createPairTasks(db, projectId, [{ promptId, completionIds, priority }]).created[0]!;
    };
    const old = made(0, "old backlog");
    const urgent = made(2, "urgent");
    const fresh = made(1, "fresh samples");
    const fresher = made(1, "fresher samples");
    const ann = addUser(db, "ann");
    const served = [0, 1, 2, 3].map(() => pickNextTask(db, ann.id, projectId, { now: T0, another: true }).task!.taskId);
    expect(served).toEqual([urgent, fresh, fresher, old]);
    expect(pickNextTask(db, ann.id, projectId, { now: T0, another: true }).task).toBeNull();
  });

  it("never serves flagged or retired tasks", () => {
    const { db, projectId, taskIds } = pairProject(2);
    db.update(tasks).set({ status: "flagged" }).where(eq(tasks.id, taskIds[0]!)).run();
    db.update(tasks).set({ status: "retired" }).where(eq(tasks.id, taskIds[1]!)).run();
    expect(pickNextTask(db, addUser(db, "ann").id, projectId, { now: T0 }).task).toBeNull();
  });

  it("reports the annotator's progress and the project's guidelines", () => {
    const { db, projectId } = pairProject(3, { judgementsPerTask: 1 });
    const ann = addUser(db, "ann");
    const t = pickNextTask(db, ann.id, projectId, { now: T0 }).task!;
    submitJudgement(db, ann.id, { taskId: t.taskId, idempotencyKey: "k", answer: pair() }, at(5));
    const next = pickNextTask(db, ann.id, projectId, { now: at(6) });
    expect(next.progress).toEqual({ doneToday: 1, doneTotal: 1, skipped: 0, heldLeases: 1, maxActiveLeases: 3, tasksRemaining: 1, tasksRemainingCapped: false });
    expect(next.project).toMatchObject({ name: "labeling-test", guidelines: "", allowRankTies: true, undoWindowSeconds: 30 });
  });
});

describe("gold items", () => {
  it("mixes gold in at the configured rate, deterministically per annotator and count", () => {
    const draws = Array.from({ length: 20_000 }, (_, n) => wantsGold(7, 1, n, 0.1));
    const rate = draws.filter(Boolean).length / draws.length;
    expect(Math.abs(rate - 0.1)).toBeLessThan(0.01); // 4.7 standard errors
    expect(Array.from({ length: 50 }, (_, n) => wantsGold(7, 1, n, 0.1))).toEqual(draws.slice(0, 50));
    expect(wantsGold(7, 1, 3, 0)).toBe(false);
  });

  it("serves gold first at rate 1, regular work at rate 0, and falls back when one kind runs out", () => {
    for (const goldRate of [0, 1]) {
      const { db, projectId } = labelingDb({ goldRate, judgementsPerTask: 1 });
      const p = addPrompt(db, projectId, 3);
      const [regular] = createPairTasks(db, projectId, [{ promptId: p.promptId, completionIds: [p.completionIds[0]!, p.completionIds[1]!] }]).created;
      const [gold] = createPairTasks(db, projectId, [{ promptId: p.promptId, completionIds: [p.completionIds[0]!, p.completionIds[2]!], goldAnswer: { winner: p.completionIds[2]! } }]).created;
      const ann = addUser(db, "ann");
      const served = [0, 1].map((i) => {
        const t = pickNextTask(db, ann.id, projectId, { now: at(i * 10) }).task!;
        submitJudgement(db, ann.id, { taskId: t.taskId, idempotencyKey: `k${i}`, answer: pair() }, at(i * 10 + 5));
        return t.taskId;
      });
      expect(served).toEqual(goldRate === 1 ? [gold, regular] : [regular, gold]);
    }
  });
});
