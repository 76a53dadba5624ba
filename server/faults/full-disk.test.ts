import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { integrityCheck, leaseNext, refusal, seedLabeling, signedIn, startServerProcess, storedJudgements, submit, type ServerProcess, type Submission } from "./faults.fixtures";

/**
 * A real full disk where the machine lets us mount one: a 16 MiB tmpfs holding the database, filled
 * by a ballast file up to a little room that the submissions then use up. Where mounting is not
 * allowed (an unprivileged container), SQLite's max_page_count on the server's connection makes
 * the same writes fail with the same SQLITE_FULL a full disk gives; the test says which one ran.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-full-"));
// PREFLAB_TEST_NO_MOUNT=1 runs the fallback on a machine that could mount, to check it too.
const mounted = !process.env.PREFLAB_TEST_NO_MOUNT && tryMountTmpfs(dir, "16m");
afterAll(() => {
  if (mounted) execFileSync("umount", ["--lazy", dir]); // lazy: a server a failed test left running may still hold files there
  fs.rmSync(dir, { recursive: true, force: true });
});

function tryMountTmpfs(target: string, size: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", target], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const ballast = path.join(dir, "ballast");
/** Room left for the database's writes: a few submissions' worth of WAL frames (each ~5-10 pages of 4 KiB). */
const ROOM_BYTES = 256 * 1024;
/**
 * For the max_page_count fallback: not one page more than the database has. The room left is the
 * free space inside its pages: submissions fill the judgements table's last page, and the one that
 * needs a new page fails.
 */
const ROOM_PAGES = 0;
const FULL = {
  status: 507,
  message: "The database disk is full: this request was not saved. An administrator must free disk space; then send it again.",
};

/** Takes the disk's space away, leaving a little room; returns how to give it back. */
async function fillDisk(server: ServerProcess, pageCount: number): Promise<() => Promise<void>> {
  if (!mounted) {
    await server.command(`max-pages ${pageCount + ROOM_PAGES}`, "max-pages");
    return async () => void (await server.command("max-pages 1073741823", "max-pages"));
  }
  const { bavail, bsize } = fs.statfsSync(dir);
  const free = Number(bavail) * bsize;
  fs.writeFileSync(ballast, Buffer.alloc(Math.max(0, free - ROOM_BYTES)));
  return async () => fs.rmSync(ballast);
}

describe("a full disk", () => {
  it(`refuses submissions with 507 'the database disk is full', keeps every acknowledged judgement and the database intact, and accepts them again once space is freed (${mounted ? "a real 16 MiB tmpfs" : "PRAGMA max_page_count: no tmpfs could be mounted"})`, async () => {
    const file = path.join(dir, "preflab.db");
    const { db, projectId, usernames } = seedLabeling(file, { tasks: 80, annotators: 1, maxActiveLeases: 60 });
    const server = await startServerProcess(file);
    const client = await signedIn(server.url, usernames[0]!);
    // Leases first, so that every write once the disk fills up is a submission.
    const leased: Submission[] = [];
    for (let i = 0; i < 60; i++) leased.push({ taskId: (await leaseNext(client, projectId, true))!, idempotencyKey: `full-disk-${i}` });

    const pageCount = Number(db.$client.pragma("page_count", { simple: true }));
    const freeSpace = await fillDisk(server, pageCount);
    const acknowledged = new Map<string, number>();
    let refused: Submission | undefined;
    let failure: unknown;
    for (const s of leased) {
      const answer = await submit(client, s).catch((error: unknown) => void (failure = error));
      if (!answer) {
        refused = s;
        break;
      }
      acknowledged.set(s.idempotencyKey, answer.judgementId);
    }
    expect(refused, "the disk never filled up").toBeDefined();
    expect(acknowledged.size, "no submission fitted in the room left").toBeGreaterThan(0);
    // What the annotator's screen shows, then again each time they press Enter while the disk is full.
    expect(await refusal(Promise.reject(failure))).toEqual(FULL);
    expect(await refusal(submit(client, refused!))).toEqual(FULL);
    // Reading needs no space.
    expect(await client.query("labeling.myProgress", { projectId })).toMatchObject({ doneTotal: acknowledged.size });

    const whileFull = storedJudgements(db);
    expect(whileFull.byKey).toEqual(acknowledged);
    expect(whileFull.counted).toBe(acknowledged.size);
    expect(integrityCheck(db)).toBe("ok");

    await freeSpace();
    expect((await submit(client, refused!)).replayed).toBe(false);
    const next = leased[leased.indexOf(refused!) + 1]!;
    await submit(client, next);
    await server.stop();

    const after = storedJudgements(db);
    for (const [key, id] of acknowledged) expect(after.byKey.get(key)).toBe(id);
    expect([...after.byKey.keys()].sort()).toEqual([...acknowledged.keys(), refused!.idempotencyKey, next.idempotencyKey].sort());
    expect(after.counted).toBe(acknowledged.size + 2);
    expect(integrityCheck(db)).toBe("ok");
    db.$client.close();
    console.info(`full disk (${mounted ? "tmpfs" : "max_page_count"}): ${acknowledged.size} submissions acknowledged in the room left, then 507`);
  });
});
