import { describe, expect, it } from "vitest";
import { annotatorCounts, trackAnnotatorCounts } from "../../db/annotator-counts";
import { openDatabase, type Db } from "../../db/client";
import { writeTempFile } from "../../db/testing";
import { createRng, uniformInt, type Rng } from "../../stats/random";
import type { SessionUser } from "./auth";
import { pickNextTask } from "./assignment";
import { annotatorProgress, leaseCounts } from "./assignment-progress";
import { importFile } from "./import/run-import";
import { submitJudgement, type JudgementAnswer } from "./judgements";
import { flagTask, skipTask, undoLastJudgement } from "./judgements-actions";
import { createPairTasks, createRankTasks } from "./tasks";
import { addPrompt, addUser, labelingDb } from "./tasks-fixtures";
import type { LeasedTask } from "./assignment-view";

/**
 * The counts the server's connection keeps (db/annotator-counts.ts) against a recount on an
 * untracked connection to the same file, after every kind of labeling action in a seeded random
 * order across a UTC midnight: leases (one and "another"), submissions, skips, flags, undos, lease
 * expiry, an import, a write by another connection, a rolled-back transaction and a deleted task.
 */

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1, 22, 0, 0); // two hours before a UTC midnight

function project() {
  const fx = labelingDb({ judgementsPerTask: 2, maxActiveLeases: 3, leaseSeconds: 600, undoWindowSeconds: 3600 });
  for (let i = 0; i < 40; i++) {
    const p = addPrompt(fx.db, fx.projectId, i % 4 === 0 ? 3 : 2, `prompt ${i}`);
    if (i % 4 === 0) createRankTasks(fx.db, fx.projectId, [p]);
    else createPairTasks(fx.db, fx.projectId, [p]);
  }
  const people = ["ann", "bob", "cy"].map((name) => addUser(fx.db, name));
  const tracked = openDatabase(fx.file);
  expect(trackAnnotatorCounts(tracked)).toBe(true);
  return { ...fx, tracked, people };
}

function answerFor(task: LeasedTask): JudgementAnswer {
  const ids = task.completions.map((c) => c.id);
  return task.kind === "rank" ? { kind: "rank", ranking: ids.map((id) => [id]) } : { kind: "pair", outcome: "left", strength: 1 };
}

/** One random action by one annotator, through the tracked connection; refusals (nothing to undo, ...) are part of the game. */
function act(db: Db, rng: Rng, user: SessionUser, projectId: number, now: Date, step: number): void {
  const held = () => pickNextTask(db, user.id, projectId, { now }).task;
  const attempt = (fn: () => unknown) => {
    try {
      fn();
    } catch {
      /* a refused action changes nothing */
    }
  };
  const choice = uniformInt(rng, 10);
  if (choice < 4) {
    const task = held();
    if (task) submitJudgement(db, user.id, { taskId: task.taskId, idempotencyKey: `key-${step}`, answer: answerFor(task) }, now);
  } else if (choice === 4) attempt(() => pickNextTask(db, user.id, projectId, { now, another: true }));
  else if (choice === 5) attempt(() => undoLastJudgement(db, user.id, projectId, now));
  else if (choice === 6) {
    const task = held();
    if (task) skipTask(db, user.id, { taskId: task.taskId, reason: "unclear" });
  } else if (choice === 7) {
    const task = held();
    if (task) flagTask(db, user.id, { taskId: task.taskId, reason: "broken" });
  } else attempt(() => held());
}

function expectSameCounts(tracked: Db, plain: Db, people: SessionUser[], projectId: number, now: Date): void {
  for (const person of people) {
    expect(annotatorCounts(plain, person.id, projectId)).toBeNull();
    expect(annotatorCounts(tracked, person.id, projectId)).not.toBeNull();
    expect(leaseCounts(tracked, person.id, projectId)).toEqual(leaseCounts(plain, person.id, projectId));
    expect(annotatorProgress(tracked, person.id, projectId, 3, now)).toEqual(annotatorProgress(plain, person.id, projectId, 3, now));
  }
}

describe("annotator counts kept by the server's connection", () => {
  it("equal a recount after every labeling action, an import, another connection's write, a rollback and a deleted task", async () => {
    const { db: plain, tracked, people, projectId } = project();
    const rng = createRng(13);
    let clock = T0;
    for (let step = 0; step < 240; step++) {
      clock += uniformInt(rng, 4) === 0 ? 700_000 : 20_000; // now and then past a lease's 600 s
      const now = new Date(clock);
      act(tracked, rng, people[uniformInt(rng, people.length)]!, projectId, now, step);
      if (step % 20 === 0) expectSameCounts(tracked, plain, people, projectId, now);
    }
    const now = new Date(clock);
    expect(Math.floor(clock / DAY)).toBeGreaterThan(Math.floor(T0 / DAY)); // the judgements span a UTC midnight
    expectSameCounts(tracked, plain, people, projectId, now);

    const pairs = writeTempFile("pairs.jsonl", '{"prompt":"p","chosen":"a","rejected":"b"}\n');
    expect((await importFile(tracked, pairs, { projectName: "labeling-test", format: "trl" })).imported).toBe(1);
    const other = plain.$client.prepare("update judgements set undone_at = ? where id = (select max(id) from judgements where annotator_id = ? and undone_at is null)");
    expect(other.run(clock, people[0]!.id).changes).toBe(1); // another connection's write: only data_version tells
    expectSameCounts(tracked, plain, people, projectId, now);

    expect(() =>
      tracked.$client.transaction(() => {
        tracked.$client.prepare("update assignments set status = 'skipped' where annotator_id = ?").run(people[1]!.id);
        const inside = leaseCounts(tracked, people[1]!.id, projectId);
        expect(inside.skipped).toBe(inside.served); // the uncommitted update is counted inside the transaction
        throw new Error("rolled back");
      })(),
    ).toThrow("rolled back");
    expectSameCounts(tracked, plain, people, projectId, now);

    tracked.$client.prepare("delete from tasks where id = (select task_id from judgements where annotator_id = ? order by id limit 1)").run(people[2]!.id);
    expectSameCounts(tracked, plain, people, projectId, now);
  });
});
