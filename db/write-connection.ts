import { openDatabase, type Db } from "./client";

/**
 * Runs a long, asynchronous write (an import that streams a file) as ONE transaction.
 * better-sqlite3 transactions are synchronous, and a BEGIN on the shared connection would
 * swallow every other request's writes into ours, so the work gets a connection of its own;
 * other writers wait on the busy timeout. A failure rolls back everything.
 */
export async function withWriteConnection<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  const file = db.$client.name;
  const inMemory = file === ":memory:" || file === "";
  const conn = inMemory ? db : openDatabase(file);
  conn.$client.exec("BEGIN IMMEDIATE");
  try {
    const result = await fn(conn);
    conn.$client.exec("COMMIT");
    return result;
  } catch (error) {
    if (conn.$client.inTransaction) conn.$client.exec("ROLLBACK");
    throw error;
  } finally {
    if (!inMemory) conn.$client.close();
  }
}
