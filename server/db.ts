import { trackAnnotatorCounts } from "../db/annotator-counts";
import { openDatabase, type Db } from "../db/client";

// One connection per server process, kept on globalThis so Next.js dev reloads reuse it.
const globalForDb = globalThis as unknown as { preflabDb?: Db };

/** The server's connection keeps each annotator's counts up to date instead of recounting them per task (db/annotator-counts.ts). */
function openServerDb(): Db {
  const db = openDatabase();
  trackAnnotatorCounts(db);
  return db;
}

export function getServerDb(): Db {
  globalForDb.preflabDb ??= openServerDb();
  return globalForDb.preflabDb;
}
