import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import * as importRoute from "../../app/api/import/route";
import { writeTempFile } from "../../db/testing";
import { importFile } from "../services/import/run-import";
import { addUser } from "../services/tasks-fixtures";
import { databaseChecksum } from "./db-checksum";
import { BASE_URL, callTrpc, temporaryServerDb } from "./trpc-http";
import { cookieFor } from "./world.fixtures";

/** The bugs the fuzzing found, each as the case that found it (shrunk), so they stay fixed. */
const { db } = temporaryServerDb();
const admin = addUser(db, "fuzz-admin", "admin");
const target = addUser(db, "fuzz-target");
const pair = (n: number) => JSON.stringify({ prompt: `p${n}`, chosen: `good ${n}`, rejected: `bad ${n}` });

describe("procedures", () => {
  it("users.update with nothing to change is a 400, not a 500 (drizzle's 'No values to set')", async () => {
    const answer = await callTrpc({ path: "users.update", type: "mutation" }, { id: target.id }, { cookie: cookieFor(db, admin) });
    expect({ status: answer.status, message: answer.message }).toEqual({ status: 400, message: expect.stringContaining("Say what to change") });
  });
});

describe("the import parser", () => {
  const importBytes = async (bytes: Buffer, fileName: string, skipInvalid = false) => {
    const before = databaseChecksum(db);
    const report = await importFile(db, writeTempFile(fileName, bytes), { projectName: "fuzz-regressions", format: "auto", fileName, skipInvalid });
    return { report, unchanged: databaseChecksum(db) === before };
  };

  it("reports a CSV row with more cells than the header on its line, instead of waiting forever", async () => {
    const { report, unchanged } = await importBytes(Buffer.from('prompt\n,\n",'), "upload.csv");
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ line: 2, reason: expect.stringContaining("invalid CSV") });
    expect(unchanged).toBe(true);
  });

  it("numbers CSV lines right when a quoted cell holds a CRLF (csv-parse counted it as two lines, past the end of the file)", async () => {
    const { report } = await importBytes(Buffer.from('prompt\r\n"\r\n\r\n '), "upload.csv");
    expect(report.problems).toEqual([{ line: 4, reason: expect.stringContaining("Quote Not Closed") }]);
    const crlf = await importBytes(Buffer.from('prompt,chosen,rejected\r\n"two\r\nlines",a,b\r\nx,y,z,extra\r\n'), "upload.csv");
    expect(crlf.report.problems).toEqual([{ line: 4, reason: expect.stringContaining("Invalid Record Length") }]);
  });

  it("reports a gzip file damaged at its start on line 1, and one cut short after the last line it could read", async () => {
    const whole = zlib.gzipSync(`${[1, 2, 3].map(pair).join("\n")}\n`);
    const badMethod = Buffer.from(whole);
    badMethod[2] = 9; // the fuzzer's case: compression method 9 ("unknown compression method")
    const damaged = await importBytes(badMethod, "upload.jsonl.gz");
    expect(damaged.report.problems).toEqual([{ line: 1, reason: expect.stringMatching(/compressed file is damaged at its start/) }]);
    expect(damaged.unchanged).toBe(true);
    const big = zlib.gzipSync(`${Array.from({ length: 4000 }, (_, i) => pair(i)).join("\n")}\n`);
    const cut = await importBytes(big.subarray(0, big.length >> 1), "upload.jsonl.gz");
    expect(cut.report.ok).toBe(false);
    expect(cut.report.problems.at(-1)!.reason).toMatch(/damaged after line \d+/);
    expect(cut.unchanged).toBe(true);
  });

  it("imports a gzipped CSV like a plain one", async () => {
    const csv = "prompt,chosen,rejected\nfirst,good,bad\nsecond,better,worse\n";
    const { report } = await importBytes(zlib.gzipSync(csv), "pairs.csv.gz");
    expect(report).toMatchObject({ ok: true, format: "trl", imported: 2 });
  });
});

describe("the upload route", () => {
  it.each(["..", "."])("takes an upload whose file name is %j (it was a directory on disk, and a 500)", async (fileName) => {
    const response = await importRoute.POST(
      new Request(`${BASE_URL}/api/import?project=fuzz-upload&fileName=${encodeURIComponent(fileName)}`, {
        method: "POST",
        headers: { cookie: cookieFor(db, admin), "content-type": "application/octet-stream" },
        body: `${pair(1)}\n`,
      }),
    );
    expect(response.status).toBe(200);
    expect(JSON.parse((await response.text()).trim().split("\n").at(-1)!)).toMatchObject({ type: "report", ok: true, imported: 1 });
  });
});
