import crypto from "node:crypto";
import type { Db } from "../../db/client";

/**
 * A digest of every row of every table: equal before and after a request means the request
 * changed nothing that is stored (the file's bytes would also move with WAL checkpoints).
 */
export function databaseChecksum(db: Db): string {
  const hash = crypto.createHash("sha256");
  const tables = db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  for (const table of tables) {
    hash.update(`\u0000${table}\u0000`);
    for (const row of db.$client.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).raw().iterate() as Iterable<unknown[]>)
      hash.update(JSON.stringify(row, (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value)));
  }
  return hash.digest("hex");
}
