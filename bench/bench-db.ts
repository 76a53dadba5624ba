// The 1,000,000-judgement database the labeling, HTTP and dashboard benches share: 100
// annotators, 120,000 prompts x 3 completions x 3 pairs = 360,000 pair tasks (overlap 3), the
// first 333,000 complete, 1,000 more with one judgement, the rest open, plus 200 gold tasks.
// Every judgement has its submitted assignment, as the engine leaves them, and the answers vary
// (both display orders, every outcome, strengths 1..3) so the dashboard's statistics see every case.
// Building it takes about a minute, so it is built once into the temporary folder under a name
// that changes with the generator (BENCH_DB_VERSION) and with the migrations, and every bench
// run works on a fresh copy: benches write (leases, submissions) and the cache must stay as built.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "better-sqlite3";
import { openDatabase, type Db } from "../db/client";
import { projectSettingsSchema } from "../db/types";

/** Bump when the generator below changes what it writes. */
const BENCH_DB_VERSION = 1;

export const ANNOTATORS = 100;
const PROMPTS = 120_000;
const COMPLETE_TASKS = 333_000;
const HALF_DONE_TASKS = 1_000; // one judgement each: 333,000 x 3 + 1,000 = 1,000,000
const GOLD_TASKS = 200;
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

function seedBenchDatabase(sqlite: Database): { projectId: number; annotatorIds: number[]; judgements: number } {
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

export interface BenchDatabase {
  db: Db;
  file: string;
  projectId: number;
  annotatorIds: number[];
  judgements: number;
  /** Seconds spent building the cache (0 when an earlier run's file was reused). */
  buildSeconds: number;
}

function migrationsHash(): string {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../db/migrations");
  const hash = crypto.createHash("sha256");
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) hash.update(file).update(fs.readFileSync(path.join(dir, file)));
  return hash.digest("hex").slice(0, 12);
}

const cacheFile = () => path.join(os.tmpdir(), `preflab-bench-1m-v${BENCH_DB_VERSION}-${migrationsHash()}.db`);

/**
 * Builds into a side file and renames it, so an interrupted build never leaves a half cache; then
 * removes the caches of other generator versions and migrations (a third of a GB each).
 */
function buildCache(file: string): void {
  const partial = `${file}.${process.pid}.partial`;
  const db = openDatabase(partial);
  seedBenchDatabase(db.$client);
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.close();
  fs.renameSync(partial, file);
  for (const suffix of ["-wal", "-shm"]) fs.rmSync(`${partial}${suffix}`, { force: true });
  const stale = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("preflab-bench-1m-v") && !f.startsWith(path.basename(file)) && !f.includes(".partial"));
  for (const f of stale) fs.rmSync(path.join(os.tmpdir(), f), { force: true });
}

/** A fresh, writable copy of the cached 1M-judgement database (built first when missing). */
export function openBenchDatabase(): BenchDatabase {
  const cache = cacheFile();
  const started = performance.now();
  const built = !fs.existsSync(cache);
  if (built) buildCache(cache);
  const buildSeconds = built ? (performance.now() - started) / 1000 : 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-bench-"));
  const file = path.join(dir, "bench.db");
  fs.copyFileSync(cache, file);
  const db = openDatabase(file);
  const projectId = (db.$client.prepare("select id from projects where name = 'bench'").pluck().get() as number | undefined) ?? 0;
  const annotatorIds = db.$client.prepare("select id from users where username like 'bench-%' and username <> 'bench-fast' order by id").pluck().all() as number[];
  const judgements = db.$client.prepare("select count(*) from judgements").pluck().get() as number;
  return { db, file, projectId, annotatorIds, judgements, buildSeconds };
}

/** Closes the copy and deletes its folder. */
export function removeBenchDatabase(bench: BenchDatabase): void {
  if (bench.db.$client.open) bench.db.$client.close();
  fs.rmSync(path.dirname(bench.file), { recursive: true, force: true });
}
