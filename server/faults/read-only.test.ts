import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client";
import { TrpcHttpClient } from "../../sim/api-client";
import { integrityCheck, leaseNext, PASSWORD, refusal, seedLabeling, signedIn, startServerProcess, storedJudgements, submit } from "./faults.fixtures";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) {
    fs.chmodSync(dir, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const READ_ONLY = "The database is read-only (its file or folder cannot be written): this request was not saved. An administrator must make it writable; then send it again.";

/**
 * A labeling database with three acknowledged judgements and one task leased but not judged, made
 * once over HTTP; the server that wrote it is stopped and every connection closed (which
 * checkpoints and removes the -wal and -shm files), so a copy of the one file is the whole database.
 */
async function labeledThenStopped() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-readonly-"));
  dirs.push(dir);
  const file = path.join(dir, "preflab.db");
  const { db, projectId, usernames } = seedLabeling(file, { tasks: 10, annotators: 2 });
  const server = await startServerProcess(file);
  const client = await signedIn(server.url, usernames[0]!);
  const acknowledged = new Map<string, number>();
  for (let i = 0; i < 3; i++) {
    const s = { taskId: (await leaseNext(client, projectId))!, idempotencyKey: `before-read-only-${i}` };
    acknowledged.set(s.idempotencyKey, (await submit(client, s)).judgementId);
  }
  const held = { taskId: (await leaseNext(client, projectId))!, idempotencyKey: "while-read-only" };
  await server.stop();
  db.$client.close();
  expect(fs.readdirSync(dir)).toEqual(["preflab.db"]);
  return { file, projectId, usernames, client, port: server.port, acknowledged, held };
}

let template: Awaited<ReturnType<typeof labeledThenStopped>>;
beforeAll(async () => {
  template = await labeledThenStopped();
});

/** Each test's own copy of the labeled database, in a folder of its own; servers listen on the port the client knows. */
function copyOfLabeled() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-readonly-"));
  dirs.push(dir);
  const file = path.join(dir, "preflab.db");
  fs.copyFileSync(template.file, file);
  return { ...template, dir, file };
}

/** Writable again, a normal server takes the refused submission once and kept everything acknowledged. */
async function recovers(fx: ReturnType<typeof copyOfLabeled>) {
  fs.chmodSync(fx.dir, 0o755);
  fs.chmodSync(fx.file, 0o644);
  const server = await startServerProcess(fx.file, { port: fx.port });
  expect((await submit(fx.client, fx.held)).replayed).toBe(false);
  await server.stop();
  const db = openDatabase(fx.file);
  const stored = storedJudgements(db);
  expect(stored.byKey).toEqual(new Map([...fx.acknowledged, [fx.held.idempotencyKey, stored.byKey.get(fx.held.idempotencyKey)]]));
  expect(stored.counted).toBe(4);
  expect(integrityCheck(db)).toBe("ok");
  db.$client.close();
}

describe("a read-only database", () => {
  it("file read-only (folder writable): submissions, leasing and sign-in get 503 'the database is read-only', reads still work, nothing acknowledged is lost", async () => {
    const fx = copyOfLabeled();
    fs.chmodSync(fx.file, 0o444);
    fs.chmodSync(fx.dir, 0o777); // SQLite may still create its -wal and -shm beside the file, so reads work
    const server = await startServerProcess(fx.file, { respectPermissions: true, port: fx.port });

    const writes = [() => submit(fx.client, fx.held), () => leaseNext(fx.client, fx.projectId, true), () => new TrpcHttpClient(server.url).signIn(fx.usernames[1]!, PASSWORD)];
    for (const write of writes) expect(await refusal(write())).toEqual({ status: 503, message: READ_ONLY });
    expect(await fx.client.query("labeling.myProgress", { projectId: fx.projectId })).toMatchObject({ doneTotal: 3, heldLeases: 1 });
    await server.stop();
    await recovers(fx);
  });

  it("file and folder read-only: the database cannot even be opened, so every request, reads and downloads too, gets 503 'the database is read-only' instead of a 500", async () => {
    const fx = copyOfLabeled();
    fs.chmodSync(fx.file, 0o444);
    fs.chmodSync(fx.dir, 0o555);
    const server = await startServerProcess(fx.file, { respectPermissions: true, port: fx.port });

    const calls = [() => submit(fx.client, fx.held), () => fx.client.query("labeling.myProgress", { projectId: fx.projectId })];
    for (const call of calls) expect(await refusal(call())).toEqual({ status: 503, message: READ_ONLY });
    const download = await fetch(`${server.url}/api/export?projectId=${fx.projectId}&format=trl`);
    expect(download.status).toBe(503);
    expect(await download.json()).toEqual({ error: READ_ONLY });
    await server.stop();
    await recovers(fx);
  });
});
