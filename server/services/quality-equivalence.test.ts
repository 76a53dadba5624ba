import { describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { createRng, shuffle, uniformInt, type Rng } from "../../stats/random";
import { projectAgreement } from "./quality";
import { annotatorReport } from "./quality-annotators";
import { referenceAnnotatorReport, referenceProjectAgreement } from "./quality-reference";
import { labelingDb } from "./tasks-fixtures";

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
  const { db, projectId } = labelingDb();
  const other = Number(db.$client.prepare("insert into projects (name, settings) values ('other', '{}')").run().lastInsertRowid);
  const sql = statements(db);
  const rng = createRng(seed);
  const annotators = Array.from({ length: 12 }, (_, i) => Number(sql.user.run(`u${seed}-${i}`, "annotator", `p${i}`).lastInsertRowid));
  const pending: Array<() => void> = [];
  for (let t = 0; t < tasks; t++) addTask(sql, rng, uniformInt(rng, 5) === 0 ? other : projectId, annotators, pending);
  for (const insert of shuffle(rng, pending)) insert(); // judgement ids out of task order
  return { db, projectId };
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
