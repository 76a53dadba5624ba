// Server latency of the labeling hot path on a database holding 1,000,000 judgements (issue 3),
// called in-process: fetching the next task (a new lease, and a reload of the held one) and
// submitting a judgement, on a copy of the shared bench database (bench-db.ts). A last row
// measures the worst case: one annotator who already judged the first 5,000 open tasks (100
// calls). The connection is set up as the server's is (annotator counts tracked, statements
// reused: server/db.ts). The same calls over real HTTP, and the dashboard's quality calls, are in
// load-http-bench.ts.
import { availableParallelism } from "node:os";
import type { Database } from "better-sqlite3";
import { trackAnnotatorCounts } from "../db/annotator-counts";
import type { Db } from "../db/client";
import { reuseStatements } from "../db/statement-cache";
import { pickNextTask } from "../server/services/assignment";
import { submitJudgement } from "../server/services/judgements";
import { ANNOTATORS, openBenchDatabase, removeBenchDatabase } from "./bench-db";

type Row = Record<string, string | number>;

const CALLS = 400;
const DAY_MS = 86_400_000;

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
  const bench = openBenchDatabase();
  const { db, projectId, annotatorIds, judgements } = bench;
  const fast = addRunAheadAnnotator(db.$client, projectId);
  trackAnnotatorCounts(db);
  reuseStatements(db);
  for (const annotatorId of [...annotatorIds, fast]) pickNextTask(db, annotatorId, projectId); // first sight counts their history once
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
  const cores = availableParallelism();
  const note = `${(judgements + RUN_AHEAD).toLocaleString("en-US")} judgements, ${ANNOTATORS} annotators, ${CALLS} calls${bench.buildSeconds ? `; db built in ${bench.buildSeconds.toFixed(0)} s` : ""}`;
  removeBenchDatabase(bench);
  return Object.entries(samples).flatMap(([operation, values]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return [
      { bench: "labeling", model: operation, metric: "p50 ms", value: Number(percentile(sorted, 0.5).toPrecision(3)), note, cores },
      { bench: "labeling", model: operation, metric: "p99 ms", value: Number(percentile(sorted, 0.99).toPrecision(3)), note, cores },
    ];
  });
}
