import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { integrityCheck, leaseNext, refusal, seedLabeling, signedIn, startServerProcess, storedJudgements, submit } from "./faults.fixtures";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-locked-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Short, so the test does not wait 10 s per refused write (the server's one thread waits that long).
const BUSY_MS = 300;

describe("a database locked by another process", () => {
  it("refuses writes with 503 'database busy, try again' while the lock outlasts the busy timeout, keeps reads working, loses nothing, and takes the same submission once after the release", async () => {
    const file = path.join(dir, "preflab.db");
    const { db, projectId, usernames } = seedLabeling(file, { tasks: 10, annotators: 1 });
    const server = await startServerProcess(file, { env: { PREFLAB_DB_BUSY_MS: String(BUSY_MS) } });
    const client = await signedIn(server.url, usernames[0]!);
    const acknowledged = [];
    for (let i = 0; i < 3; i++) acknowledged.push(await submit(client, { taskId: (await leaseNext(client, projectId))!, idempotencyKey: `before-lock-${i}` }));
    const held = { taskId: (await leaseNext(client, projectId))!, idempotencyKey: "during-lock" };

    // This test process is the other process: it takes the write lock and keeps it, with a write of
    // its own in the transaction (an import, a CLI command), while the server is asked to write.
    const other = new Database(file, { timeout: 5000 });
    other.exec("BEGIN EXCLUSIVE");
    other.prepare("insert into prompts (project_id, text) values (?, ?)").run(projectId, "written by the process holding the lock");

    const busy = { status: 503, message: "The database is busy: another process holds its write lock. This request was not saved; try again in a moment." };
    expect(await refusal(submit(client, held))).toEqual(busy);
    expect(await refusal(leaseNext(client, projectId, true))).toEqual(busy);
    // WAL: readers never wait for the writer.
    expect(await client.query("labeling.myProgress", { projectId })).toMatchObject({ doneTotal: 3, heldLeases: 1 });

    other.exec("COMMIT");
    other.close();
    const accepted = await submit(client, held);
    expect(accepted.replayed).toBe(false);
    await server.stop();

    const stored = storedJudgements(db);
    expect([...stored.byKey.keys()].sort()).toEqual(["before-lock-0", "before-lock-1", "before-lock-2", "during-lock"]);
    for (const [i, a] of acknowledged.entries()) expect(stored.byKey.get(`before-lock-${i}`)).toBe(a.judgementId);
    expect(stored.counted).toBe(4);
    expect(db.$client.prepare("select count(*) as n from prompts where text like 'written by the process holding%'").get()).toEqual({ n: 1 });
    expect(integrityCheck(db)).toBe("ok");
    db.$client.close();
  });
});
