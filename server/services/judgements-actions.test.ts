import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client";
import { assignments, flags, judgements, tasks } from "../../db/schema";
import { createRng, uniformInt } from "../../stats/random";
import { pickNextTask } from "./assignment";
import { submitJudgement } from "./judgements";
import { flagTask, skipTask, undoLastJudgement } from "./judgements-actions";
import { addPrompt, addUser, labelingDb, pairProject } from "./tasks-fixtures";

const T0 = new Date("2026-03-01T10:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const tie = { kind: "pair" as const, outcome: "tie" as const };


describe("skip", () => {
  it("records the reason and gives the task to someone else, never back to the skipper", () => {
    const { db, projectId, taskIds } = pairProject(1, { judgementsPerTask: 1 });
    const [ann, bob] = [addUser(db, "ann"), addUser(db, "bob")];
    pickNextTask(db, ann.id, projectId, { now: T0 });
    expect(pickNextTask(db, bob.id, projectId, { now: T0 }).task).toBeNull();
    skipTask(db, ann.id, { taskId: taskIds[0]!, reason: " not my language " });
    expect(db.select().from(assignments).get()).toMatchObject({ status: "skipped", skipReason: "not my language" });
    expect(pickNextTask(db, bob.id, projectId, { now: at(1) }).task!.taskId).toBe(taskIds[0]);
    expect(pickNextTask(db, ann.id, projectId, { now: at(1) }).task).toBeNull();
    expect(() => skipTask(db, ann.id, { taskId: taskIds[0]!, reason: "again" })).toThrow(/nothing to skip/);
  });
});

describe("flag", () => {
  it("withdraws a task from the queue at the project's flag count, one flag per person", () => {
    const { db, projectId, taskIds } = pairProject(1, { flagsToRetire: 2, judgementsPerTask: 5 });
    const [ann, bob, cy] = ["ann", "bob", "cy"].map((n) => addUser(db, n));
    pickNextTask(db, ann!.id, projectId, { now: T0 });
    expect(flagTask(db, ann!.id, { taskId: taskIds[0]!, reason: "harmful", note: "slur" })).toEqual({ flagCount: 1, taskWithdrawn: false });
    expect(() => flagTask(db, ann!.id, { taskId: taskIds[0]!, reason: "broken" })).toThrow(/already flagged/);
    expect(() => flagTask(db, cy!.id, { taskId: taskIds[0]!, reason: "broken" })).toThrow(/been shown/);
    pickNextTask(db, bob!.id, projectId, { now: T0 });
    expect(flagTask(db, bob!.id, { taskId: taskIds[0]!, reason: "unreadable" })).toEqual({ flagCount: 2, taskWithdrawn: true });
    expect(db.select().from(tasks).get()).toMatchObject({ status: "flagged", flagCount: 2 });
    expect(db.select().from(flags).all().map((f) => [f.reason, f.note])).toEqual([["harmful", "slur"], ["unreadable", null]]);
    expect(pickNextTask(db, cy!.id, projectId, { now: at(1) }).task).toBeNull();
  });
});

describe("undo", () => {
  it("takes the last judgement back within the window and gives the same task back", () => {
    const { db, projectId, taskIds } = pairProject(2, { judgementsPerTask: 1, undoWindowSeconds: 30 });
    const ann = addUser(db, "ann");
    const shown = pickNextTask(db, ann.id, projectId, { now: T0 }).task!;
    submitJudgement(db, ann.id, { taskId: shown.taskId, idempotencyKey: "k1", answer: { kind: "pair", outcome: "left", strength: 2 }, rationale: "clearer" }, at(10));
    expect(db.select().from(tasks).where(eq(tasks.id, shown.taskId)).get()).toMatchObject({ status: "complete", judgementCount: 1 });
    const undone = undoLastJudgement(db, ann.id, projectId, at(39));
    expect(undone.previous).toEqual({ outcome: "left", strength: 2, ranking: null, chosenCompletionId: null, correctedText: null, rationale: "clearer" });
    expect(undone.task).toMatchObject({ taskId: shown.taskId, completions: shown.completions });
    expect(db.select().from(tasks).where(eq(tasks.id, shown.taskId)).get()).toMatchObject({ status: "open", judgementCount: 0 });
    expect(db.select().from(judgements).get()!.undoneAt).toEqual(at(39));
    expect(pickNextTask(db, ann.id, projectId, { now: at(40) }).task!.taskId).toBe(shown.taskId);
    expect(() => undoLastJudgement(db, ann.id, projectId, at(41))).toThrow(/no judgement to undo/);
    expect(() => submitJudgement(db, ann.id, { taskId: shown.taskId, idempotencyKey: "k1", answer: tie }, at(42))).toThrow(/was undone/);
    submitJudgement(db, ann.id, { taskId: shown.taskId, idempotencyKey: "k2", answer: tie }, at(45));
    expect(db.select().from(tasks).where(eq(tasks.id, shown.taskId)).get()).toMatchObject({ status: "complete", judgementCount: 1 });
    expect(taskIds).toContain(shown.taskId);
  });

  it("refuses once the undo window has passed", () => {
    const { db, projectId } = pairProject(1, { undoWindowSeconds: 30 });
    const ann = addUser(db, "ann");
    const shown = pickNextTask(db, ann.id, projectId, { now: T0 }).task!;
    submitJudgement(db, ann.id, { taskId: shown.taskId, idempotencyKey: "k1", answer: tie }, at(10));
    expect(() => undoLastJudgement(db, ann.id, projectId, at(40.001))).toThrow(/30 seconds after submitting/);
    expect(db.select().from(judgements).get()!.undoneAt).toBeNull();
  });
});

describe("many annotators interleaved on two connections", () => {
  it("never overshoots a target, never repeats a task and keeps every count equal to the stored judgements", () => {
    const { db, file, projectId } = pairProject(12, { judgementsPerTask: 2, leaseSeconds: 60, maxActiveLeases: 2, undoWindowSeconds: 20 });
    const conns = [db, openDatabase(file)];
    const people = Array.from({ length: 6 }, (_, i) => addUser(db, `p${i}`));
    const rng = createRng(42);
    let clock = 0;
    for (let step = 0; step < 600; step++) {
      clock += uniformInt(rng, 15);
      const conn = conns[uniformInt(rng, 2)]!;
      const who = people[uniformInt(rng, people.length)]!;
      randomAction(conn, who.id, projectId, uniformInt(rng, 10), at(clock), step);
    }
    for (const task of db.select().from(tasks).all()) {
      const live = db.select().from(judgements).where(eq(judgements.taskId, task.id)).all().filter((j) => j.undoneAt === null);
      expect(live).toHaveLength(task.judgementCount);
      expect(task.judgementCount).toBeLessThanOrEqual(task.requiredJudgements);
      expect(task.status).toBe(task.judgementCount === task.requiredJudgements ? "complete" : "open");
      expect(new Set(live.map((j) => j.annotatorId)).size).toBe(live.length);
    }
    expect(db.select().from(judgements).all().length).toBeGreaterThan(12);
    conns[1]!.$client.close();
  });
});

/** One random annotator action; refusals (expired lease, cap, nothing to undo) are expected. */
function randomAction(conn: ReturnType<typeof openDatabase>, annotatorId: number, projectId: number, roll: number, now: Date, step: number) {
  try {
    if (roll < 3) pickNextTask(conn, annotatorId, projectId, { now, another: roll === 0 });
    else if (roll < 8) {
      const held = conn.select().from(assignments).where(eq(assignments.annotatorId, annotatorId)).all().filter((a) => a.status === "active");
      const lease = held[step % Math.max(1, held.length)];
      if (lease) submitJudgement(conn, annotatorId, { taskId: lease.taskId, idempotencyKey: `s${step}`, answer: tie }, now);
    } else if (roll === 8) undoLastJudgement(conn, annotatorId, projectId, now);
    else {
      const held = conn.select().from(assignments).where(eq(assignments.annotatorId, annotatorId)).all().find((a) => a.status === "active");
      if (held) skipTask(conn, annotatorId, { taskId: held.taskId, reason: "random" });
    }
  } catch (error) {
    if (!(error instanceof Error) || !/hold|expired|given|already|no judgement|window|passed|all the judgements/i.test(error.message)) throw error;
  }
}
