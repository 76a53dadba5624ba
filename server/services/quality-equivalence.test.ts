import { describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../db/client";
import { writeTempFile } from "../../db/testing";
import { createRng, shuffle, uniformInt, type Rng } from "../../stats/random";
import { createCaller } from "../root";
import { createInnerContext } from "../trpc";
import { pickNextTask } from "./assignment";
import { importFile } from "./import/run-import";
import { submitJudgement, type JudgementAnswer } from "./judgements";
import { skipTask, undoLastJudgement } from "./judgements-actions";
import { projectAgreement } from "./quality";
import { annotatorReport } from "./quality-annotators";
import { projectProgress } from "./quality-progress";
import { referenceAnnotatorReport, referenceProjectAgreement } from "./quality-reference";
import type { LeasedTask } from "./assignment-view";
import { addUser, labelingDb } from "./tasks-fixtures";

/**
 * The optimized dashboard statistics against the straightforward reference on random projects:
 * every task kind, random display orders, ties, both-bad, missing strengths, gold, skips, undone
 * and imported judgements, judgements inserted out of task order, and a second project whose
 * rows must not leak in. Exact equality: same category orders, same summation orders.
 */

type Sql = ReturnType<typeof statements>;

function statements(db: Db) {
  const s = db.$client;
  return {
    user: s.prepare("insert into users (username, role, pseudonym) values (?, ?, ?)"),
    prompt: s.prepare("insert into prompts (project_id, text) values (?, 'p')"),
    completion: s.prepare("insert into completions (prompt_id, origin, text) values (?, 'policy', 'c')"),
    task: s.prepare("insert into tasks (project_id, prompt_id, kind, completion_ids, completion_set_key, required_judgements, is_gold) values (?, ?, ?, ?, ?, 3, ?)"),
    assignment: s.prepare("insert into assignments (task_id, annotator_id, project_id, display_order, status, expires_at) values (?, ?, ?, ?, ?, 0)"),
    judgement: s.prepare(`insert into judgements (task_id, annotator_id, source, outcome, strength, ranking, chosen_completion_id, seconds_on_task,
      gold_correct, display_order, undone_at, created_at) values (@task, @annotator, @source, @outcome, @strength, @ranking, @chosen, @seconds, @gold, @order, @undone, @at)`),
  };
}

const pick = <T,>(rng: Rng, items: readonly T[]): T => items[uniformInt(rng, items.length)]!;

/** A random answer to a task of `kind` over `ids` (canonical order) shown in `order`. */
function answer(rng: Rng, kind: string, ids: number[], order: number[], gold: boolean) {
  const base = { outcome: null as string | null, strength: null as number | null, ranking: null as string | null, chosen: null as number | null };
  if (kind === "pair") {
    const outcome = pick(rng, ["left", "right", "left", "right", "tie", "both_bad", null]);
    base.outcome = outcome;
    if (outcome === "left" || outcome === "right") base.strength = pick(rng, [1, 2, 3, 3, null]);
  } else if (kind === "correction") base.chosen = pick(rng, ids);
  else {
    const groups: number[][] = [];
    for (const id of order) (groups.length && uniformInt(rng, 4) === 0 ? groups.at(-1)! : (groups[groups.length] = [])).push(id);
    base.ranking = JSON.stringify(groups);
  }
  return { ...base, gold: gold ? uniformInt(rng, 2) : null, seconds: pick(rng, [null, 0, 1.5, 2, 7.25, uniformInt(rng, 60) + 0.125, uniformInt(rng, 300)]) };
}

function addTask(sql: Sql, rng: Rng, projectId: number, annotators: number[], pending: Array<() => void>) {
  const kind = pick(rng, ["pair", "pair", "pair", "correction", "rank"]);
  const promptId = Number(sql.prompt.run(projectId).lastInsertRowid);
  const ids = Array.from({ length: kind === "rank" ? 3 + uniformInt(rng, 2) : 2 }, () => Number(sql.completion.run(promptId).lastInsertRowid));
  const gold = uniformInt(rng, 6) === 0;
  const taskId = Number(sql.task.run(projectId, promptId, kind, JSON.stringify(ids), ids.join(","), gold ? 1 : 0).lastInsertRowid);
  for (const annotator of shuffle(rng, [...annotators]).slice(0, uniformInt(rng, 5))) {
    const order = JSON.stringify(shuffle(rng, [...ids]));
    const skipped = uniformInt(rng, 8) === 0;
    sql.assignment.run(taskId, annotator, projectId, order, skipped ? "skipped" : "submitted");
    if (skipped) continue;
    const a = answer(rng, kind, ids, JSON.parse(order), gold);
    const undone = uniformInt(rng, 10) === 0 ? 1 : null;
    const imported = uniformInt(rng, 12) === 0;
    const row = { task: taskId, annotator: imported ? null : annotator, source: imported ? "import" : "human", order, undone, at: 1_700_000_000_000 + uniformInt(rng, 9) * 86_400_000 };
    pending.push(() => sql.judgement.run({ ...row, ...a }));
  }
}

function randomProject(seed: number, tasks: number) {
  const { db, projectId, file } = labelingDb();
  const other = Number(db.$client.prepare("insert into projects (name, settings) values ('other', '{}')").run().lastInsertRowid);
  const sql = statements(db);
  const rng = createRng(seed);
  const annotators = Array.from({ length: 12 }, (_, i) => Number(sql.user.run(`u${seed}-${i}`, "annotator", `p${i}`).lastInsertRowid));
  const pending: Array<() => void> = [];
  for (let t = 0; t < tasks; t++) addTask(sql, rng, uniformInt(rng, 5) === 0 ? other : projectId, annotators, pending);
  for (const insert of shuffle(rng, pending)) insert(); // judgement ids out of task order
  return { db, projectId, file };
}

const comparable = (r: ReturnType<typeof projectAgreement>) => ({ ...r, matrix: { ...r.matrix, annotators: r.matrix.annotators.map((a) => a.id) } });

describe("optimized quality statistics equal the straightforward reference", () => {
  for (const seed of [1, 2, 3]) {
    it(`agrees on project agreement, packed and unpacked, for random project ${seed}`, () => {
      const { db, projectId } = randomProject(seed, 400);
      for (const minShared of [1, 5, 20]) {
        const reference = referenceProjectAgreement(db, projectId, minShared);
        expect(reference.judgements).toBeGreaterThan(300);
        expect(comparable(projectAgreement(db, projectId, { minShared }))).toEqual(reference);
        expect(comparable(projectAgreement(db, projectId, { minShared, packed: false }))).toEqual(reference);
      }
    });

    it(`agrees on the annotator report for random project ${seed}`, () => {
      const { db, projectId } = randomProject(seed, 400);
      const report = annotatorReport(db, projectId);
      const reference = referenceAnnotatorReport(db, projectId);
      expect(report.annotators.length).toBeGreaterThan(5);
      expect({ ...report, annotators: report.annotators.map(({ username: _u, pseudonym: _p, ...row }) => row) }).toEqual(reference);
    });
  }

  it("falls back to unpacked rows when a value does not fit the packing, with the same result", () => {
    const { db, projectId } = randomProject(4, 200);
    db.$client.prepare("update judgements set strength = 100 where id = (select min(id) from judgements where strength is not null)").run();
    expect(comparable(projectAgreement(db, projectId, { minShared: 1 }))).toEqual(referenceProjectAgreement(db, projectId, 1));
  });
});

/** A valid answer to whatever task the annotator was given. */
function answerFor(task: LeasedTask): JudgementAnswer {
  const ids = task.completions.map((c) => c.id);
  if (task.kind === "pair") return { kind: "pair", outcome: "left", strength: 2 };
  if (task.kind === "rank") return { kind: "rank", ranking: ids.map((id) => [id]) };
  return { kind: "correction", chosenCompletionId: ids[0]!, correctedText: "an edited answer" };
}

describe("the dashboard's cached quality calls equal a full recomputation", () => {
  function viewed(seed: number) {
    const fx = randomProject(seed, 150);
    const researcher = addUser(fx.db, "researcher", "researcher");
    const quality = createCaller(createInnerContext({ db: fx.db, user: researcher })).quality;
    const views = async () => ({
      agreement: await quality.projectAgreement({ projectId: fx.projectId, minShared: 1 }),
      annotators: await quality.annotators({ projectId: fx.projectId }),
      progress: await quality.projectProgress({ projectId: fx.projectId }),
    });
    /** Every view equals the services computed from scratch now. */
    const expectFresh = async () => {
      const seen = await views();
      expect(seen).toEqual({
        agreement: projectAgreement(fx.db, fx.projectId, { minShared: 1 }),
        annotators: annotatorReport(fx.db, fx.projectId),
        progress: projectProgress(fx.db, fx.projectId),
      });
      return seen;
    };
    return { ...fx, views, expectFresh };
  }

  const expectSame = (a: object, b: object) => Object.entries(a).forEach(([k, v]) => expect(v).toBe((b as Record<string, unknown>)[k]));
  const expectAllNew = (a: object, b: object) => Object.entries(a).forEach(([k, v]) => expect(v).not.toBe((b as Record<string, unknown>)[k]));

  it("serves repeated views from the cache, also while annotators fetch tasks, and recomputes after submit, undo and skip", async () => {
    const { db, projectId, views, expectFresh } = viewed(5);
    const first = await expectFresh();
    expectSame(await views(), first);
    const annotator = addUser(db, "new-annotator");
    const leased = pickNextTask(db, annotator.id, projectId).task!;
    expectSame(await views(), first);

    submitJudgement(db, annotator.id, { taskId: leased.taskId, idempotencyKey: "cache-test-1", answer: answerFor(leased) });
    const submitted = await expectFresh();
    expectAllNew(submitted, first);
    expect(submitted.agreement.judgements).toBe(first.agreement.judgements + 1);

    undoLastJudgement(db, annotator.id, projectId);
    const undone = await expectFresh();
    expect(undone.agreement.judgements).toBe(first.agreement.judgements);

    skipTask(db, annotator.id, { taskId: leased.taskId, reason: "unclear" });
    const skipped = await expectFresh();
    expect(skipped.progress.skipped).toBe(undone.progress.skipped + 1);
  });

  it("recomputes after an import, a rename and a write by another connection; a rolled-back write keeps the cache", async () => {
    const { db, file, projectId, views, expectFresh } = viewed(6);
    const first = await expectFresh();
    const pairs = writeTempFile("pairs.jsonl", ['{"prompt":"p1","chosen":"a","rejected":"b"}', '{"prompt":"p2","chosen":"c","rejected":"d"}'].join("\n"));
    expect((await importFile(db, pairs, { projectName: "labeling-test", format: "trl" })).imported).toBe(2);
    const imported = await expectFresh();
    expect(imported.progress.totalTasks).toBe(first.progress.totalTasks + 2);

    const someone = imported.agreement.matrix.annotators[0]!;
    db.$client.prepare("update users set username = 'renamed' where id = ?").run(someone.id);
    const renamed = await expectFresh();
    expect(renamed.agreement.matrix.annotators.find((a) => a.id === someone.id)?.username).toBe("renamed");

    const other = openDatabase(file);
    other.$client.prepare("update judgements set undone_at = 1 where id = (select min(j.id) from judgements j join tasks t on t.id = j.task_id where t.project_id = ? and j.source = 'human' and j.undone_at is null)").run(projectId);
    other.$client.close();
    const elsewhere = await expectFresh();
    expect(elsewhere.agreement.judgements).toBe(renamed.agreement.judgements - 1);

    expect(() =>
      db.$client.transaction(() => {
        db.$client.prepare("update judgements set undone_at = null where undone_at is not null").run();
        throw new Error("rolled back");
      })(),
    ).toThrow("rolled back");
    expectSame(await expectFresh(), elsewhere);
  });
});
