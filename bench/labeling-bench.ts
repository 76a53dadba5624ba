// Server latency of the labeling hot path on a database holding 1,000,000 judgements (issue 3):
// fetching the next task (a new lease, and a reload of the held one) and submitting a judgement.
// The database is a real SQLite file built with raw inserts in one transaction: 100 annotators,
// 120,000 prompts x 3 completions x 3 pairs = 360,000 pair tasks (overlap 3), the first 333,000
// complete, 1,000 more with one judgement, the rest open, plus 200 gold tasks. Every judgement
// has its submitted assignment, as the engine leaves them. A last row measures the worst case:
// one annotator who already judged the first 5,000 open tasks (100 calls). The researcher's
// dashboard calls (agreement, annotator quality, progress) are timed last, a few calls each, on
// varied answers (both display orders, every outcome, strengths 1..3).
import { availableParallelism } from "node:os";
import type { Database } from "better-sqlite3";
import type { Db } from "../db/client";
import { createTestDb } from "../db/testing";
import { projectSettingsSchema } from "../db/types";
import { pickNextTask } from "../server/services/assignment";
import { projectAgreement } from "../server/services/quality";
import { annotatorReport } from "../server/services/quality-annotators";
import { projectProgress } from "../server/services/quality-progress";
import { submitJudgement } from "../server/services/judgements";

type Row = Record<string, string | number>;

const ANNOTATORS = 100;
const PROMPTS = 120_000;
const COMPLETE_TASKS = 333_000;
const HALF_DONE_TASKS = 1_000; // one judgement each: 333,000 x 3 + 1,000 = 1,000,000
const GOLD_TASKS = 200;
const CALLS = 400;
const DASHBOARD_CALLS = 5; // each reads every judgement: a few calls give a p50 without minutes of bench
const DAY_MS = 86_400_000;

function statements(sqlite: Database) {
  return {
    addUser: sqlite.prepare("insert into users (username, role, pseudonym) values (?, 'annotator', ?)"),
    addPrompt: sqlite.prepare("insert into prompts (project_id, text) values (?, ?)"),
    addCompletion: sqlite.prepare("insert into completions (prompt_id, origin, text) values (?, 'policy', ?)"),
    addTask: sqlite.prepare(
      "insert into tasks (project_id, prompt_id, kind, completion_ids, completion_set_key, required_judgements, judgement_count, status, is_gold, gold_answer) values (?, ?, 'pair', ?, ?, 3, ?, ?, ?, ?)",
    ),
    addAssignment: sqlite.prepare(
      "insert into assignments (task_id, annotator_id, project_id, display_order, status, leased_at, expires_at) values (?, ?, ?, ?, 'submitted', ?, ?)",
    ),
    addJudgement: sqlite.prepare(
      "insert into judgements (task_id, annotator_id, source, outcome, strength, seconds_on_task, server_seconds_on_task, display_order, idempotency_key, created_at) values (?, ?, 'human', ?, ?, ?, 30, ?, ?, ?)",
    ),
  };
}

/**
 * A varied, deterministic answer (the dashboard's statistics should see every outcome): half the
 * annotators saw the pair reversed, outcomes cycle through left/right/tie/both-bad, strengths
 * 1..3, seconds 2..61 with a fraction.
 */
function answerOf(t: number, k: number, a: number, b: number) {
  const mix = (t * 7 + k * 13) % 10;
  const outcome = (["left", "left", "left", "right", "right", "right", "left", "tie", "right", "both_bad"] as const)[mix]!;
  return {
    shown: JSON.stringify((t + k) % 2 === 0 ? [a, b] : [b, a]),
    outcome,
    strength: outcome === "left" || outcome === "right" ? 1 + ((t + k) % 3) : null,
    seconds: 2 + ((t * 31 + k * 17) % 60) + 0.25,
  };
}

/** Inserts the t-th pair task and its judgements (3 for the first COMPLETE_TASKS, then 1, then 0). */
function pairTaskWriter(sql: ReturnType<typeof statements>, projectId: number, annotatorIds: number[]) {
  const now = Date.now();
  let t = 0;
  let judgements = 0;
  const write = (promptId: number, a: number, b: number, gold: boolean) => {
    const done = gold ? 0 : t < COMPLETE_TASKS ? 3 : t < COMPLETE_TASKS + HALF_DONE_TASKS ? 1 : 0;
    const order = JSON.stringify([a, b]);
    const goldAnswer = gold ? JSON.stringify({ winner: b }) : null;
    const taskId = Number(sql.addTask.run(projectId, promptId, order, `${a},${b}`, done, done === 3 ? "complete" : "open", gold ? 1 : 0, goldAnswer).lastInsertRowid);
    for (let k = 0; k < done; k++) {
      const annotator = annotatorIds[(t + k * 37) % ANNOTATORS]!; // three different people per task
      const at = now - 30 * DAY_MS + Math.floor((t / (COMPLETE_TASKS + HALF_DONE_TASKS)) * 30 * DAY_MS) + k * 1000;
      const answer = answerOf(t, k, a, b);
      sql.addAssignment.run(taskId, annotator, projectId, answer.shown, at - 10_000, at + 890_000);
      sql.addJudgement.run(taskId, annotator, answer.outcome, answer.strength, answer.seconds, answer.shown, `seed-${taskId}-${k}`, at);
      judgements++;
    }
    t++;
  };
  return { write, count: () => judgements };
}

export function seedBenchDatabase(sqlite: Database): { projectId: number; annotatorIds: number[]; judgements: number } {
  const settings = projectSettingsSchema.parse({ judgementsPerTask: 3, goldRate: 0.05 });
  const projectId = Number(sqlite.prepare("insert into projects (name, settings) values ('bench', ?)").run(JSON.stringify(settings)).lastInsertRowid);
  const sql = statements(sqlite);
  const annotatorIds = Array.from({ length: ANNOTATORS }, (_, i) => Number(sql.addUser.run(`bench-${i}`, `ann-bench-${i}`).lastInsertRowid));
  const tasks = pairTaskWriter(sql, projectId, annotatorIds);
  sqlite.transaction(() => {
    for (let p = 0; p < PROMPTS + GOLD_TASKS; p++) {
      const promptId = Number(sql.addPrompt.run(projectId, `Prompt ${p}: write a short review of a film you liked.`).lastInsertRowid);
      const c = [0, 1, 2].map((i) => Number(sql.addCompletion.run(promptId, `Completion ${i} of prompt ${p}, a few sentences long.`).lastInsertRowid));
      if (p >= PROMPTS) tasks.write(promptId, c[0]!, c[1]!, true);
      else for (const [a, b] of [[0, 1], [0, 2], [1, 2]] as const) tasks.write(promptId, c[a]!, c[b]!, false);
    }
  })();
  return { projectId, annotatorIds, judgements: tasks.count() };
}

/**
 * One fast annotator ahead of everyone: they already judged the first RUN_AHEAD open tasks,
 * which stay open waiting for others. Every pick of theirs walks past those tasks: the engine's
 * worst case, reported as its own row.
 */
const RUN_AHEAD = 5_000;

function addRunAheadAnnotator(sqlite: Database, projectId: number): number {
  const id = Number(sqlite.prepare("insert into users (username, role, pseudonym) values ('bench-fast', 'annotator', 'ann-bench-fast')").run().lastInsertRowid);
  const ahead = `select id from tasks where project_id = ${projectId} and status = 'open' and is_gold = 0 order by id limit ${RUN_AHEAD}`;
  const at = Date.now() - DAY_MS;
  sqlite.transaction(() => {
    sqlite.exec(`insert into assignments (task_id, annotator_id, project_id, display_order, status, leased_at, expires_at)
      select id, ${id}, project_id, completion_ids, 'submitted', ${at}, ${at + 900_000} from tasks where id in (${ahead})`);
    sqlite.exec(`insert into judgements (task_id, annotator_id, source, outcome, strength, seconds_on_task, display_order, idempotency_key, created_at)
      select id, ${id}, 'human', 'right', 1, 3, completion_ids, 'fast-' || id, ${at} from tasks where id in (${ahead})`);
    sqlite.exec(`update tasks set judgement_count = judgement_count + 1 where id in (${ahead})`);
  })();
  return id;
}

function measureRunAhead(db: Db, projectId: number, annotatorId: number, calls: number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const task = time(samples, () => pickNextTask(db, annotatorId, projectId)).task!;
    submitJudgement(db, annotatorId, { taskId: task.taskId, idempotencyKey: `fast-bench-${i}`, answer: { kind: "pair", outcome: "tie" } });
  }
  return samples;
}

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

function time<T>(samples: number[], fn: () => T): T {
  const started = performance.now();
  const result = fn();
  samples.push(performance.now() - started);
  return result;
}

export async function run(): Promise<Row[]> {
  const { db } = createTestDb();
  const built = performance.now();
  const { projectId, annotatorIds, judgements } = seedBenchDatabase(db.$client);
  const fast = addRunAheadAnnotator(db.$client, projectId);
  const buildSeconds = (performance.now() - built) / 1000;
  const samples: Record<string, number[]> = { "next (new lease)": [], "next (reload, lease held)": [], submit: [] };
  for (let i = 0; i < CALLS; i++) {
    const annotatorId = annotatorIds[i % annotatorIds.length]!;
    const next = time(samples["next (new lease)"]!, () => pickNextTask(db, annotatorId, projectId));
    const task = next.task;
    if (!task) throw new Error("the bench ran out of open tasks");
    time(samples["next (reload, lease held)"]!, () => pickNextTask(db, annotatorId, projectId));
    const answer = { kind: "pair" as const, outcome: i % 5 === 0 ? ("tie" as const) : ("left" as const), strength: i % 5 === 0 ? null : 2 };
    time(samples.submit!, () => submitJudgement(db, annotatorId, { taskId: task.taskId, idempotencyKey: `bench-${i}`, answer, clientSeconds: 8 }));
  }
  samples[`next (annotator ${RUN_AHEAD.toLocaleString("en-US")} open tasks ahead)`] = measureRunAhead(db, projectId, fast, CALLS / 4);
  const dashboard = { "quality.projectAgreement": projectAgreement, "quality.annotators": annotatorReport, "quality.projectProgress": projectProgress };
  for (const [name, fn] of Object.entries(dashboard)) {
    const calls = (samples[`${name} (${DASHBOARD_CALLS} calls)`] = []);
    for (let i = 0; i < DASHBOARD_CALLS; i++) time(calls, () => fn(db, projectId));
  }
  const cores = availableParallelism();
  const note = `${(judgements + RUN_AHEAD).toLocaleString("en-US")} judgements, ${ANNOTATORS} annotators, ${CALLS} calls; db built in ${buildSeconds.toFixed(0)} s`;
  db.$client.close();
  return Object.entries(samples).flatMap(([operation, values]) => {
    const sorted = [...values].sort((a, b) => a - b);
    if (sorted.length === 1) return [{ bench: "labeling", model: operation, metric: "ms", value: Number(sorted[0]!.toPrecision(3)), note, cores }];
    return [
      { bench: "labeling", model: operation, metric: "p50 ms", value: Number(percentile(sorted, 0.5).toPrecision(3)), note, cores },
      { bench: "labeling", model: operation, metric: "p99 ms", value: Number(percentile(sorted, 0.99).toPrecision(3)), note, cores },
    ];
  });
}
