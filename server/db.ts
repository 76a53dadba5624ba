import { openDatabase, type Db } from "../db/client";

// One connection per server process, kept on globalThis so Next.js dev reloads reuse it.
const globalForDb = globalThis as unknown as { preflabDb?: Db };

export function getServerDb(): Db {
  globalForDb.preflabDb ??= openDatabase();
  return globalForDb.preflabDb;
}
