import type { Database, Statement } from "better-sqlite3";
import type { Db } from "./client";

/**
 * drizzle compiles a fresh better-sqlite3 statement for every query it runs: a labeling call
 * runs a dozen small queries, and compiling them was the largest single cost of a "next task"
 * or "submit" request (~8% of the server's time under load). The connection drizzle talks to
 * hands out the statement it compiled last time for the same SQL text instead.
 *
 * Safe because drizzle runs each statement to completion at once (all/get/run, never an open
 * iterator) and the only mode it sets is `raw`, which is reset on every hand-out; a statement
 * still busy (someone iterating it) is never handed out twice. `db.$client` itself is left as
 * it is: direct users prepare and keep their own statements, with whatever modes they set.
 */

const MAX_STATEMENTS = 500; // the least recently used goes first (queries with IN lists vary their text)

function cachingPrepare(sqlite: Database): (source: string) => Statement {
  const cache = new Map<string, Statement>();
  return (source) => {
    let statement = cache.get(source);
    if (statement && !statement.busy) {
      cache.delete(source);
      cache.set(source, statement); // most recently used last
      if (statement.reader) statement.raw(false);
      return statement;
    }
    statement = sqlite.prepare(source);
    cache.set(source, statement);
    if (cache.size > MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
    return statement;
  };
}

/** Makes drizzle reuse compiled statements on this connection; a drizzle whose session is laid out differently is left alone. */
export function reuseStatements(db: Db): void {
  const session = (db as unknown as { session?: { client?: unknown } }).session;
  const sqlite = db.$client;
  if (!session || session.client !== sqlite) return;
  const prepare = cachingPrepare(sqlite);
  session.client = new Proxy(sqlite, {
    get(target, key) {
      if (key === "prepare") return prepare;
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
