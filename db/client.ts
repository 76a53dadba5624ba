import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";

// The one module that knows the database is SQLite: everything else talks drizzle through `Db`.

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const DEFAULT_DB_PATH = "./data/preflab.db";

/**
 * Beside this file when run from source (CLI, tests, worker); from the project root when a
 * bundler (Next.js) has moved the compiled module elsewhere.
 */
function findMigrationsFolder(): string {
  const candidates = [
    path.join(/*turbopackIgnore: true*/ path.dirname(fileURLToPath(import.meta.url)), "migrations"),
    path.resolve(/*turbopackIgnore: true*/ process.cwd(), "db/migrations"),
  ];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, "meta", "_journal.json")));
  if (!found) throw new Error(`cannot find the database migrations (looked in ${candidates.join(", ")})`);
  return found;
}

/** The database file users configure with PREFLAB_DB. */
export function databasePathFromEnv(): string {
  return process.env.PREFLAB_DB || DEFAULT_DB_PATH;
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

/**
 * How long a write waits for another connection's lock before failing with SQLITE_BUSY:
 * PREFLAB_DB_BUSY_MS (a non-negative integer) or 10 s. The wait blocks the server's one thread,
 * so tests that hold a lock on purpose shorten it instead of stalling every request for 10 s.
 */
function busyTimeoutMs(): number {
  const configured = Number(process.env.PREFLAB_DB_BUSY_MS);
  return process.env.PREFLAB_DB_BUSY_MS && Number.isInteger(configured) && configured >= 0 ? configured : DEFAULT_BUSY_TIMEOUT_MS;
}

/**
 * Opens (creating if needed) and migrates a database. WAL lets the web server read while the
 * training worker writes; the busy timeout makes the two wait for each other instead of failing.
 */
export function openDatabase(file: string = databasePathFromEnv()): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(/*turbopackIgnore: true*/ file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs()}`); // first: switching to WAL may wait for another writer too
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("synchronous = NORMAL");
  const db = drizzle(sqlite, { schema, casing: "snake_case" }) as Db;
  migrate(db, { migrationsFolder: findMigrationsFolder() });
  return db;
}

/** Runs `fn` in one write transaction (BEGIN IMMEDIATE: take the write lock up front). */
export function inTransaction<T>(db: Db, fn: (tx: Db) => T): T {
  return db.$client.transaction(() => fn(db)).immediate();
}
