import { count, eq, sql } from "drizzle-orm";
import type { Database } from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createTestDb } from "./testing";
import { projects, users } from "./schema";
import { defaultProjectSettings } from "./types";
import { reuseStatements } from "./statement-cache";

describe("drizzle statements reused on a connection", () => {
  function reusingDb() {
    const { db } = createTestDb();
    for (const name of ["ann", "bob", "cy"]) db.insert(users).values({ username: name, role: "annotator", pseudonym: `p-${name}` }).run();
    const compiled: string[] = [];
    const prepare = db.$client.prepare.bind(db.$client);
    db.$client.prepare = ((source: string) => (compiled.push(source), prepare(source))) as typeof db.$client.prepare;
    reuseStatements(db);
    const drizzleClient = (db as unknown as { session: { client: Database } }).session.client;
    return { db, compiled, drizzleClient };
  }

  it("compiles a query once, and rows come back the same whichever way drizzle read the statement last", () => {
    const { db, compiled } = reusingDb();
    const byName = (name: string) => db.select({ id: users.id, role: users.role }).from(users).where(eq(users.username, name)).get();
    const ann = byName("ann")!;
    expect(byName("bob")).toEqual({ id: ann.id + 1, role: "annotator" });
    expect(compiled.filter((s) => s.includes('from "users"')).length).toBe(1);
    // One SQL text read as objects (no fields), then raw (values), then as objects again.
    const text = sql`select "id", "username" from "users" where "users"."username" = ${"cy"}`;
    expect(db.get<{ id: number; username: string }>(text)).toEqual({ id: ann.id + 2, username: "cy" });
    expect(db.values(text)).toEqual([[ann.id + 2, "cy"]]);
    expect(db.all<{ id: number; username: string }>(text)).toEqual([{ id: ann.id + 2, username: "cy" }]);
    expect(db.select({ n: count() }).from(users).get()).toEqual({ n: 3 });
  });

  it("never hands out a statement that is still being iterated", () => {
    const { db, drizzleClient } = reusingDb();
    const listing = 'select "username" from "users" order by "id"';
    db.all(sql.raw(listing)); // compiled and cached
    const seen: string[] = [];
    for (const row of drizzleClient.prepare(listing).iterate() as Iterable<{ username: string }>)
      seen.push(`${row.username}:${db.all<{ username: string }>(sql.raw(listing)).map((r) => r.username).join(",")}`);
    expect(seen).toEqual(["ann:ann,bob,cy", "bob:ann,bob,cy", "cy:ann,bob,cy"]);
  });

  it("writes and transactions, committed and rolled back, go through it unchanged", () => {
    const { db } = reusingDb();
    db.transaction((tx) => tx.insert(projects).values({ name: "p", settings: defaultProjectSettings() }).run());
    expect(() =>
      db.transaction((tx) => {
        tx.insert(projects).values({ name: "q", settings: defaultProjectSettings() }).run();
        throw new Error("rolled back");
      }),
    ).toThrow("rolled back");
    expect(db.select({ name: projects.name }).from(projects).all()).toEqual([{ name: "p" }]);
  });
});
