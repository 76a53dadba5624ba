import type { Database } from "better-sqlite3";
import type { Db } from "../../db/client";
import { projectRevision } from "../../db/project-revisions";

/**
 * The dashboard's quality calls read every judgement of a project (about a second at a million);
 * a researcher's repeated views (reloads, tab switches, react-query refetches) get the result
 * computed last time, as long as nothing those statistics read has changed since: the project's
 * revision token (db/project-revisions.ts) names the state a result was computed from. Annotators
 * fetching tasks leave it alone; a submission, an undo, a skip, an import or any write from
 * another process moves it, and the next view computes afresh. The cached value is shared
 * between callers: treat it as read-only.
 */

interface ProjectEntry {
  revision: string;
  results: Map<string, unknown>;
}

const caches = new WeakMap<Database, Map<number, ProjectEntry>>();

/** `compute()`'s result for (project, key), reused until the project's revision changes. */
export function cachedForProject<T>(db: Db, projectId: number, key: string, compute: () => T): T {
  const revision = projectRevision(db, projectId);
  if (revision === null) return compute();
  let projects = caches.get(db.$client);
  if (!projects) caches.set(db.$client, (projects = new Map()));
  let entry = projects.get(projectId);
  if (entry?.revision !== revision) projects.set(projectId, (entry = { revision, results: new Map() }));
  if (entry.results.has(key)) return entry.results.get(key) as T;
  const value = compute();
  entry.results.set(key, value);
  return value;
}
