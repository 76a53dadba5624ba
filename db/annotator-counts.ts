import type { Database, Statement } from "better-sqlite3";
import type { Db } from "./client";

/**
 * The counts the labeling engine shows an annotator with every task (their assignments by status,
 * their live judgements per UTC day), kept up to date instead of recounted per call: recounting
 * walks the annotator's whole history (10,000 assignments and judgements each at a million
 * judgements), the larger part of a "next task" call.
 *
 * - TEMP tables and triggers on this connection only (nothing in the database file, no
 *   migration): an (annotator, project) is counted in full the first time it is asked for, and
 *   from then on every insert, update and delete of its assignments and judgements through this
 *   connection moves the counts. They live in the same transactions as the writes, so a rolled
 *   back write rolls its counts back too.
 * - Another connection's commit (the CLI, the worker, another process) changes `PRAGMA
 *   data_version`: every count is dropped and recounted on demand. The version last seen is kept
 *   in a TEMP table as well, so the drop is transactional like everything else.
 * - Opt-in per connection (`trackAnnotatorCounts`, outside a transaction): the web server's
 *   connection is tracked; elsewhere `annotatorCounts` returns null and callers count directly.
 * SQLite-only (TEMP triggers, upserts, data_version), hence here in db/.
 */

const DAY_MS = 86_400_000;

const ready = (annotator: string, project: string) =>
  `exists (select 1 from temp.annotator_counts_ready r where r.annotator_id = ${annotator} and r.project_id = ${project})`;
const add = (annotator: string, project: string, bucket: string, delta: 1 | -1, when = "1") =>
  `insert into temp.annotator_counts (annotator_id, project_id, bucket, n) select ${annotator}, ${project}, ${bucket}, ${delta}
     where ${when} and ${ready(annotator, project)} on conflict (annotator_id, project_id, bucket) do update set n = n + ${delta}`;
const status = (row: "new" | "old") => add(`${row}.annotator_id`, `${row}.project_id`, `'status:' || ${row}.status`, row === "new" ? 1 : -1);
const day = (row: "new" | "old") =>
  add(`${row}.annotator_id`, `(select project_id from main.tasks where id = ${row}.task_id)`, `'day:' || (${row}.created_at / ${DAY_MS})`, row === "new" ? 1 : -1,
    `${row}.annotator_id is not null and ${row}.undone_at is null`);

/** A judgement whose task is gone (a cascade from deleting a task) or a task moved between projects: recount everyone. */
const RESET = "delete from temp.annotator_counts; delete from temp.annotator_counts_ready";

const TRACKING_SQL = `
create temp table annotator_counts_version (data_version integer not null);
create temp table annotator_counts_ready (annotator_id integer not null, project_id integer not null, primary key (annotator_id, project_id)) without rowid;
create temp table annotator_counts (annotator_id integer not null, project_id integer not null, bucket text not null, n integer not null,
  primary key (annotator_id, project_id, bucket)) without rowid;
create temp trigger annotator_counts_assignment_insert after insert on main.assignments begin ${status("new")}; end;
create temp trigger annotator_counts_assignment_update after update of status, annotator_id, project_id on main.assignments
  begin ${status("old")}; ${status("new")}; end;
create temp trigger annotator_counts_assignment_delete after delete on main.assignments begin ${status("old")}; end;
create temp trigger annotator_counts_judgement_insert after insert on main.judgements begin ${day("new")}; end;
create temp trigger annotator_counts_judgement_update after update of undone_at, created_at, task_id, annotator_id on main.judgements
  begin ${day("old")}; ${day("new")}; end;
create temp trigger annotator_counts_judgement_delete after delete on main.judgements begin ${day("old")}; end;
create temp trigger annotator_counts_orphan after delete on main.judgements
  when not exists (select 1 from main.tasks where id = old.task_id) begin ${RESET}; end;
create temp trigger annotator_counts_task_delete after delete on main.tasks begin ${RESET}; end;
create temp trigger annotator_counts_task_move after update of project_id on main.tasks begin ${RESET}; end;
`;

const FULL_COUNT_SQL = `
insert into temp.annotator_counts (annotator_id, project_id, bucket, n)
  select @annotator, @project, 'status:' || status, count(*) from main.assignments
  where annotator_id = @annotator and project_id = @project group by status
  union all
  select @annotator, @project, 'day:' || (j.created_at / ${DAY_MS}), count(*) from main.judgements j join main.tasks t on t.id = j.task_id
  where j.annotator_id = @annotator and j.undone_at is null and t.project_id = @project group by j.created_at / ${DAY_MS}`;

interface Statements {
  version: Statement;
  forget: Statement[];
  isReady: Statement;
  markReady: Statement;
  countAll: Statement;
  read: Statement;
}

const tracked = new WeakMap<Database, Statements>();

/**
 * Starts counting on this connection (call once, outside a transaction, e.g. when the server
 * opens its database). Returns false, leaving callers to count directly, when SQLite refuses the
 * TEMP schema (a database it cannot write temporary files for): slower, never wrong.
 */
export function trackAnnotatorCounts(db: Db): boolean {
  const sqlite = db.$client;
  if (tracked.has(sqlite)) return true;
  if (sqlite.inTransaction) throw new Error("trackAnnotatorCounts must run outside a transaction");
  try {
    sqlite.exec(TRACKING_SQL);
  } catch {
    return false;
  }
  tracked.set(sqlite, {
    version: sqlite.prepare("select data_version from temp.annotator_counts_version").pluck(),
    forget: ["delete from temp.annotator_counts", "delete from temp.annotator_counts_ready", "delete from temp.annotator_counts_version", "insert into temp.annotator_counts_version values (?)"].map((s) => sqlite.prepare(s)),
    isReady: sqlite.prepare("select 1 from temp.annotator_counts_ready where annotator_id = ? and project_id = ?").pluck(),
    markReady: sqlite.prepare("insert into temp.annotator_counts_ready values (?, ?)"),
    countAll: sqlite.prepare(FULL_COUNT_SQL),
    read: sqlite.prepare("select bucket, n from temp.annotator_counts where annotator_id = ? and project_id = ?").raw(),
  });
  return true;
}

export interface AnnotatorCounts {
  /** Assignments by status ("active", "submitted", "skipped", ...). */
  byStatus: Map<string, number>;
  /** Live (not undone) judgements by UTC day number (ms since the epoch / 86,400,000). */
  byDay: Map<number, number>;
}

/** The annotator's counts in a project, or null when this connection does not track them. */
export function annotatorCounts(db: Db, annotatorId: number, projectId: number): AnnotatorCounts | null {
  const sqlite = db.$client;
  const sql = tracked.get(sqlite);
  if (!sql) return null;
  const dataVersion = sqlite.pragma("data_version", { simple: true }) as number;
  const run = () => {
    if (sql.version.get() !== dataVersion) {
      const [counts, readyRows, versions, setVersion] = sql.forget as [Statement, Statement, Statement, Statement];
      counts.run(), readyRows.run(), versions.run(), setVersion.run(dataVersion);
    }
    if (sql.isReady.get(annotatorId, projectId) === undefined) {
      sql.countAll.run({ annotator: annotatorId, project: projectId });
      sql.markReady.run(annotatorId, projectId);
    }
    return sql.read.all(annotatorId, projectId) as Array<[string, number]>;
  };
  // One transaction (or a savepoint in the caller's), so the version, readiness and counts move together.
  const rows = sqlite.transaction(run)();
  const counts: AnnotatorCounts = { byStatus: new Map(), byDay: new Map() };
  for (const [bucket, n] of rows) {
    if (bucket.startsWith("status:")) counts.byStatus.set(bucket.slice(7), n);
    else counts.byDay.set(Number(bucket.slice(4)), n);
  }
  return counts;
}
