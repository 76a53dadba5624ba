import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { databaseFault } from "./errors";

const sqliteError = (code: string) => Object.assign(new Error("driver words"), { code });

describe("databaseFault", () => {
  it("names the fault behind primary and extended SQLite codes", () => {
    const kinds = ["SQLITE_FULL", "SQLITE_READONLY_DIRECTORY", "SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_IOERR_WRITE", "SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CANTOPEN"].map(
      (code) => databaseFault(sqliteError(code))?.kind,
    );
    expect(kinds).toEqual(["full", "readonly", "busy", "busy", "io", "corrupt", "corrupt", "cantopen"]);
  });

  it("finds the driver's error under the wrappers' causes, and is null for errors that are not the database's", () => {
    const wrapped = Object.assign(new Error("internal"), { code: "INTERNAL_SERVER_ERROR", cause: new Error("query failed", { cause: sqliteError("SQLITE_FULL") }) });
    expect(databaseFault(wrapped)).toMatchObject({ kind: "full", code: "SQLITE_FULL" });
    expect(databaseFault(sqliteError("SQLITE_CONSTRAINT_UNIQUE"))).toBeNull();
    expect(databaseFault(sqliteError("SQLITE_FULLY_INVENTED"))).toBeNull();
    expect(databaseFault(new Error("plain"))).toBeNull();
    expect(databaseFault(undefined)).toBeNull();
  });

  it("recognises what better-sqlite3 really throws when the page limit is reached (SQLite's full-disk code)", () => {
    const db = new Database(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflab-errors-")), "full.db"));
    db.exec("create table t (x text)");
    db.pragma(`max_page_count = ${Number(db.pragma("page_count", { simple: true }))}`);
    const insert = db.prepare("insert into t values (?)");
    let thrown: unknown;
    try {
      for (let i = 0; i < 1000; i++) insert.run("x".repeat(1000));
    } catch (error) {
      thrown = error;
    }
    expect(databaseFault(thrown)?.kind).toBe("full");
    db.close();
  });
});
