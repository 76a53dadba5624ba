import type { Database } from "better-sqlite3";
import type { Db } from "./client";

/**
 * A token that changes whenever something a project's dashboard statistics read may have
 * changed, so those statistics can be cached until then (server/services/quality-cache.ts).
 *
 * - Writes through this connection: TEMP triggers (this connection only, nothing stored in the
 *   database file, no migration) count changes per project in a TEMP table: judgements (any
 *   insert, update, delete), tasks (the columns the statistics read, not the queue score a
 *   re-scoring pass rewrites), skipped assignments (leases and submissions leave the count
 *   alone: annotators fetching tasks do not invalidate a researcher's view) and user names
 *   (project 0: every project). The counts live in the same transactions as the writes, so a
 *   rolled-back write also rolls back its count.
 * - Writes by any other connection (the CLI importing, the worker creating tasks, another
 *   process): `PRAGMA data_version` changes, and the token with it, for every project.
 *
 * SQLite-only (TEMP triggers, data_version), hence here in db/.
 */

const PROJECT_OF_TASK = (task: string) => `(select project_id from main.tasks where id = ${task})`;
const bump = (project: string) =>
  `insert into temp.project_revisions (project_id, revision) values (${project}, 1) on conflict (project_id) do update set revision = revision + 1`;
const TASK_COLUMNS = "status, judgement_count, required_judgements, is_gold, gold_answer, kind, completion_ids, project_id";

const TRACKING_SQL = `
create temp table if not exists project_revisions (project_id integer primary key, revision integer not null);
create temp trigger if not exists project_revisions_judgement_insert after insert on main.judgements
  begin ${bump(PROJECT_OF_TASK("new.task_id"))}; end;
create temp trigger if not exists project_revisions_judgement_update after update on main.judgements
  begin ${bump(PROJECT_OF_TASK("new.task_id"))}; ${bump(PROJECT_OF_TASK("old.task_id"))}; end;
create temp trigger if not exists project_revisions_judgement_delete after delete on main.judgements
  begin ${bump("coalesce(" + PROJECT_OF_TASK("old.task_id") + ", 0)")}; end;
create temp trigger if not exists project_revisions_task_insert after insert on main.tasks
  begin ${bump("new.project_id")}; end;
create temp trigger if not exists project_revisions_task_update after update of ${TASK_COLUMNS} on main.tasks
  begin ${bump("new.project_id")}; ${bump("old.project_id")}; end;
create temp trigger if not exists project_revisions_task_delete after delete on main.tasks
  begin ${bump("old.project_id")}; end;
create temp trigger if not exists project_revisions_skip_insert after insert on main.assignments when new.status = 'skipped'
  begin ${bump("new.project_id")}; end;
create temp trigger if not exists project_revisions_skip_update after update of status, project_id on main.assignments
  when new.status = 'skipped' or old.status = 'skipped'
  begin ${bump("new.project_id")}; ${bump("old.project_id")}; end;
create temp trigger if not exists project_revisions_skip_delete after delete on main.assignments when old.status = 'skipped'
  begin ${bump("old.project_id")}; end;
create temp trigger if not exists project_revisions_user_update after update of username, pseudonym on main.users
  begin ${bump("0")}; end;
create temp trigger if not exists project_revisions_user_delete after delete on main.users
  begin ${bump("0")}; end;
`;

/** Connections whose tracking is installed (and committed: see projectRevision). */
const tracked = new WeakSet<Database>();

function track(sqlite: Database): void {
  if (tracked.has(sqlite)) return;
  sqlite.exec(TRACKING_SQL);
  tracked.add(sqlite);
}

/**
 * The project's current revision token, or null inside an open transaction: there, tracking
 * created now could be rolled back with the transaction, and a cache filled from uncommitted
 * rows would outlive them; callers then compute without the cache.
 */
export function projectRevision(db: Db, projectId: number): string | null {
  const sqlite = db.$client;
  if (sqlite.inTransaction) return null;
  track(sqlite);
  const dataVersion = sqlite.pragma("data_version", { simple: true }) as number;
  const [project, everyProject] = sqlite
    .prepare("select (select revision from temp.project_revisions where project_id = ?), (select revision from temp.project_revisions where project_id = 0)")
    .raw()
    .get(projectId) as [number | null, number | null];
  return `${dataVersion}:${everyProject ?? 0}:${project ?? 0}`;
}
