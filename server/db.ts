import { trackAnnotatorCounts } from "../db/annotator-counts";
import { openDatabase, type Db } from "../db/client";
import { reuseStatements } from "../db/statement-cache";

// One connection per server process, kept on globalThis so Next.js dev reloads reuse it.
const globalForDb = globalThis as unknown as { preflabDb?: Db };

/**
 * The server's connection keeps each annotator's counts up to date instead of recounting them per
 * task (db/annotator-counts.ts) and reuses drizzle's compiled statements (db/statement-cache.ts).
 */
function openServerDb(): Db {
  const db = openDatabase();
  trackAnnotatorCounts(db);
  reuseStatements(db);
  return db;
}

export function getServerDb(): Db {
  globalForDb.preflabDb ??= openServerDb();
  return globalForDb.preflabDb;
}
