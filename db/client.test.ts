import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./client";
import { projects } from "./schema";
import { defaultProjectSettings } from "./types";

describe("openDatabase", () => {
  it("creates a WAL database with foreign keys enforced and every migration applied", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-db-"));
    const db = openDatabase(path.join(dir, "nested", "test.db"));
    expect(db.$client.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.$client.pragma("foreign_keys", { simple: true })).toBe(1);
    const tables = db.$client
      .prepare("select name from sqlite_master where type = 'table' and name not like '\\_\\_%' escape '\\'")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(expect.arrayContaining(["users", "projects", "judgements", "training_runs"]));
    // A prompt pointing at a project that does not exist is refused by the foreign key.
    expect(() =>
      db.$client.prepare("insert into prompts (project_id, text) values (999, 'x')").run(),
    ).toThrow(/FOREIGN KEY/);
    db.insert(projects).values({ name: "p", settings: defaultProjectSettings() }).run();
    db.$client.close();
    // Reopening an already migrated file is a no-op, and the data is still there.
    const again = openDatabase(path.join(dir, "nested", "test.db"));
    expect(again.select().from(projects).all()).toHaveLength(1);
  });

  it("waits 10 s for another writer's lock by default, or PREFLAB_DB_BUSY_MS", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-db-"));
    const previous = process.env.PREFLAB_DB_BUSY_MS;
    try {
      delete process.env.PREFLAB_DB_BUSY_MS;
      expect(openDatabase(path.join(dir, "a.db")).$client.pragma("busy_timeout", { simple: true })).toBe(10_000);
      process.env.PREFLAB_DB_BUSY_MS = "250";
      expect(openDatabase(path.join(dir, "b.db")).$client.pragma("busy_timeout", { simple: true })).toBe(250);
      process.env.PREFLAB_DB_BUSY_MS = "soon";
      expect(openDatabase(path.join(dir, "c.db")).$client.pragma("busy_timeout", { simple: true })).toBe(10_000);
    } finally {
      if (previous === undefined) delete process.env.PREFLAB_DB_BUSY_MS;
      else process.env.PREFLAB_DB_BUSY_MS = previous;
    }
  });
});
