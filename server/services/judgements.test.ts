import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client";
import { derivePairs } from "../../db/derive-pairs";
import { completions, judgements, tasks } from "../../db/schema";
import { pickNextTask } from "./assignment";
import { submitJudgement, type JudgementAnswer } from "./judgements";
import { createCorrectionTasks, createPairTasks, createRankTasks } from "./tasks";
import { addPrompt, addUser, labelingDb } from "./tasks-fixtures";

const T0 = new Date("2026-03-01T10:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function oneTask(kind: "pair" | "rank" | "correction", settings = {}, n = kind === "rank" ? 4 : 2) {
  const fx = labelingDb(settings);
  const { promptId, completionIds } = addPrompt(fx.db, fx.projectId, n);
  const create = { pair: createPairTasks, rank: createRankTasks, correction: createCorrectionTasks }[kind];
  const taskId = create(fx.db, fx.projectId, [{ promptId, completionIds }]).created[0]!;
  const ann = addUser(fx.db, "ann");
  const shown = pickNextTask(fx.db, ann.id, fx.projectId, { now: T0 }).task!;
  const submit = (answer: JudgementAnswer, extra: { key?: string; now?: Date; clientSeconds?: number } = {}) =>
    submitJudgement(fx.db, ann.id, { taskId, idempotencyKey: extra.key ?? "key-1", answer, clientSeconds: extra.clientSeconds }, extra.now ?? at(40));
  return { ...fx, promptId, completionIds, taskId, ann, shown, submit, order: shown.completions.map((c) => c.id) };
}

const stored = (fx: { db: ReturnType<typeof labelingDb>["db"] }) => fx.db.select().from(judgements).all();

describe("submitting a pair judgement", () => {
  it("stores what the annotator chose relative to what they saw, with display order and time", () => {
    const fx = oneTask("pair");
    const result = fx.submit({ kind: "pair", outcome: "right", strength: 3 }, { clientSeconds: 12.5 });
    expect(result).toMatchObject({ taskComplete: false, replayed: false, undoableUntil: at(70) });
    const [j] = stored(fx);
    expect(j).toMatchObject({ outcome: "right", strength: 3, displayOrder: fx.order, secondsOnTask: 12.5, serverSecondsOnTask: 40, source: "human" });
    const [derived] = derivePairs({ taskKind: "pair", ...j!, ranking: null });
    expect(derived).toMatchObject({ chosenId: fx.order[1], rejectedId: fx.order[0], relation: "preferred" });
  });

  it("clamps client-reported time to the lease time and uses the server's when none is sent", () => {
    const fx = oneTask("pair", { judgementsPerTask: 1 });
    fx.submit({ kind: "pair", outcome: "tie" }, { clientSeconds: 500 });
    expect(stored(fx)[0]).toMatchObject({ secondsOnTask: 40, strength: null, outcome: "tie" });
  });

  it("submit rejects a task already judged by this annotator", () => {
    const fx = oneTask("pair");
    fx.submit({ kind: "pair", outcome: "left", strength: 1 });
    expect(() => fx.submit({ kind: "pair", outcome: "left", strength: 1 }, { key: "key-2" })).toThrow(/already judged/);
    expect(stored(fx)).toHaveLength(1);
  });

  it("answers a retried request with the first judgement and never stores two", () => {
    const fx = oneTask("pair");
    const first = fx.submit({ kind: "pair", outcome: "left", strength: 2 });
    const retry = fx.submit({ kind: "pair", outcome: "left", strength: 2 }, { now: at(41) });
    expect(retry).toEqual({ ...first, replayed: true });
    expect(stored(fx)).toHaveLength(1);
    expect(fx.db.select().from(tasks).get()!.judgementCount).toBe(1);
  });

  it("refuses a reused submission key on another task", () => {
    const fx = oneTask("pair", { judgementsPerTask: 1 });
    fx.submit({ kind: "pair", outcome: "left", strength: 2 });
    expect(() => submitJudgement(fx.db, fx.ann.id, { taskId: fx.taskId + 99, idempotencyKey: "key-1", answer: { kind: "pair", outcome: "tie" } })).toThrow(/already used for task/);
  });

  it("refuses a task the annotator was never given", () => {
    const fx = oneTask("pair");
    const bob = addUser(fx.db, "bob");
    expect(() => submitJudgement(fx.db, bob.id, { taskId: fx.taskId, idempotencyKey: "b", answer: { kind: "pair", outcome: "tie" } })).toThrow(/not been given this task/);
  });

  it.each([
    [{ kind: "pair", outcome: "left" }, /strength 1/],
    [{ kind: "pair", outcome: "right", strength: 4 }, /strength 1/],
    [{ kind: "pair", outcome: "both_bad", strength: 2 }, /both-bad answer has no strength/],
    [{ kind: "rank", ranking: [[1], [2]] }, /This is a pair task/],
  ] as const)("rejects an invalid answer %j with a readable reason", (answer, message) => {
    const fx = oneTask("pair");
    expect(() => fx.submit(answer as JudgementAnswer)).toThrow(message);
    expect(stored(fx)).toEqual([]);
  });
});

describe("submitting a ranking", () => {
  it("accepts a full ranking with ties and derives N(N-1)/2 weighted pairs", () => {
    const fx = oneTask("rank");
    const [a, b, c, d] = fx.completionIds as [number, number, number, number];
    fx.submit({ kind: "rank", ranking: [[c], [a, d], [b]] });
    const [j] = stored(fx);
    expect(j!.ranking).toEqual([[c], [a, d], [b]]);
    const pairs = derivePairs({ taskKind: "rank", ...j!, outcome: null });
    expect(pairs).toHaveLength(6);
    expect(pairs.every((p) => Math.abs(p.weight - 1 / 6) < 1e-12)).toBe(true);
  });

  it.each([
    [{ allowRankTies: false }, (ids: number[]) => [[ids[0]!, ids[1]!], [ids[2]!], [ids[3]!]], /does not allow ties/],
    [{}, (ids: number[]) => [[ids[0]!], [ids[1]!], [ids[2]!]], /Rank all 4 completions \(1 missing\)/],
    [{}, (ids: number[]) => [[ids[0]!], [ids[1]!], [ids[2]!], [ids[3]! + 1000]], /is not part of this task/],
    [{}, (ids: number[]) => [[ids[0]!], [ids[1]!, ids[0]!], [ids[2]!, ids[3]!]], /appears twice/],
    [{}, (ids: number[]) => [[ids[0]!], [], [ids[1]!, ids[2]!, ids[3]!]], /empty rank/],
  ])("rejects a ranking the project does not allow (%j)", (settings, ranking, message) => {
    const fx = oneTask("rank", settings);
    expect(() => fx.submit({ kind: "rank", ranking: ranking(fx.completionIds) })).toThrow(message);
  });

  it("accepts a partial ranking only where the project allows it", () => {
    const fx = oneTask("rank", { allowPartialRanking: true });
    fx.submit({ kind: "rank", ranking: [[fx.completionIds[2]!], [fx.completionIds[0]!]] });
    expect(stored(fx)[0]!.ranking).toEqual([[fx.completionIds[2]], [fx.completionIds[0]]]);
  });
});

describe("submitting a correction", () => {
  it("stores the edited text as a new correction completion and derives edited ≻ chosen ≻ rejected", () => {
    const fx = oneTask("correction");
    const [a, b] = fx.completionIds as [number, number];
    fx.submit({ kind: "correction", chosenCompletionId: b, correctedText: "a better answer\r\nwith two lines" });
    const [j] = stored(fx);
    const edit = fx.db.select().from(completions).where(eq(completions.id, j!.correctedCompletionId!)).get()!;
    expect(edit).toMatchObject({ promptId: fx.promptId, policyId: null, origin: "correction", text: "a better answer\nwith two lines" });
    expect(derivePairs({ taskKind: "correction", ...j!, ranking: null }).map((p) => [p.chosenId, p.rejectedId, p.derivation])).toEqual([
      [edit.id, b, "correction-edit"],
      [b, a, "correction-choice"],
    ]);
  });

  it("keeps an unchanged text as no edit at all", () => {
    const fx = oneTask("correction");
    const chosen = fx.shown.completions[0]!;
    fx.submit({ kind: "correction", chosenCompletionId: chosen.id, correctedText: chosen.text });
    expect(stored(fx)[0]).toMatchObject({ chosenCompletionId: chosen.id, correctedCompletionId: null });
    expect(fx.db.select().from(completions).all()).toHaveLength(2);
  });

  it("rejects a chosen completion outside the task and an emptied text", () => {
    const fx = oneTask("correction");
    expect(() => fx.submit({ kind: "correction", chosenCompletionId: 999, correctedText: "x" })).toThrow(/not part of this task/);
    expect(() => fx.submit({ kind: "correction", chosenCompletionId: fx.completionIds[0]!, correctedText: "  " })).toThrow(/empty/);
  });
});

describe("the overlap target under racing annotators", () => {
  it("refuses a late answer on an expired lease once someone else holds the slot", () => {
    const fx = oneTask("pair", { judgementsPerTask: 1, leaseSeconds: 60 });
    const bob = addUser(fx.db, "bob");
    expect(pickNextTask(fx.db, bob.id, fx.projectId, { now: at(61) }).task!.taskId).toBe(fx.taskId);
    expect(() => fx.submit({ kind: "pair", outcome: "tie" }, { now: at(62) })).toThrow(/given to others/);
    submitJudgement(fx.db, bob.id, { taskId: fx.taskId, idempotencyKey: "b", answer: { kind: "pair", outcome: "tie" } }, at(63));
    expect(fx.db.select().from(tasks).get()).toMatchObject({ judgementCount: 1, status: "complete" });
  });

  it("lets exactly one of two annotators on two connections take the last slot", () => {
    const fx = oneTask("pair", { judgementsPerTask: 2, leaseSeconds: 60 });
    const bob = addUser(fx.db, "bob");
    const cy = addUser(fx.db, "cy");
    pickNextTask(fx.db, bob.id, fx.projectId, { now: at(1) });
    submitJudgement(fx.db, bob.id, { taskId: fx.taskId, idempotencyKey: "b", answer: { kind: "pair", outcome: "tie" } }, at(2));
    pickNextTask(fx.db, cy.id, fx.projectId, { now: at(61) }); // ann's lease expired: cy may take the slot
    const [connA, connC] = [openDatabase(fx.file), openDatabase(fx.file)];
    const attempt = (conn: typeof connA, id: number, key: string) => {
      try {
        submitJudgement(conn, id, { taskId: fx.taskId, idempotencyKey: key, answer: { kind: "pair", outcome: "tie" } }, at(200));
        return "ok";
      } catch (error) {
        return (error as Error).message;
      }
    };
    // Both leases have expired by t=200: both are "expired but not reassigned", one slot is left.
    const outcomes = [attempt(connA, fx.ann.id, "a"), attempt(connC, cy.id, "c")];
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
    expect(outcomes).toContain("This task already has all the judgements it needs; fetch your next task.");
    expect(fx.db.select().from(tasks).get()).toMatchObject({ judgementCount: 2, status: "complete" });
    expect(stored(fx)).toHaveLength(2);
    connA.$client.close();
    connC.$client.close();
  });
});

describe("gold accuracy", () => {
  it("records whether a gold answer matched, by the side the annotator saw", () => {
    const fx = labelingDb({ goldRate: 1 });
    const { promptId, completionIds: [a, b] } = addPrompt(fx.db, fx.projectId, 2);
    const taskId = createPairTasks(fx.db, fx.projectId, [{ promptId, completionIds: [a!, b!], goldAnswer: { winner: b! } }]).created[0]!;
    const results = ["right", "wrong", "tie"].map((name) => {
      const user = addUser(fx.db, name);
      const order = pickNextTask(fx.db, user.id, fx.projectId, { now: T0 }).task!.completions.map((c) => c.id);
      const winnerSide = order[0] === b ? "left" : "right";
      const loserSide = winnerSide === "left" ? "right" : "left";
      const outcome = name === "right" ? winnerSide : name === "wrong" ? loserSide : "tie";
      submitJudgement(fx.db, user.id, { taskId, idempotencyKey: "k", answer: { kind: "pair", outcome, strength: outcome === "tie" ? null : 1 } }, at(20));
      return fx.db.select().from(judgements).where(eq(judgements.annotatorId, user.id)).get()!.goldCorrect;
    });
    expect(results).toEqual([true, false, false]);
    expect(fx.db.select().from(tasks).get()).toMatchObject({ judgementCount: 3, status: "open" }); // gold never fills up
  });
});
