import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db } from "./client";

/** A migrated database in a fresh temporary file: tests use real SQLite, never a mock. */
export function createTestDb(): { db: Db; file: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-test-"));
  const file = path.join(dir, "preflab.db");
  return { db: openDatabase(file), file, dir };
}

/** Writes `content` into a temporary file and returns its path. */
export function writeTempFile(name: string, content: string | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-file-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/**
 * Polls `read` until `ready` holds (a state, never a fixed time), failing after `limitMs` with the
 * last value read. For tests that wait on another process (a server, a worker) through the database.
 */
export async function waitFor<T>(read: () => T | Promise<T>, ready: (value: T) => boolean, limitMs = 30_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (ready(value)) return value;
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting after ${limitMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
