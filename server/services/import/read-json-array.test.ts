import zlib from "node:zlib";
import { count } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { judgements, prompts } from "../../../db/schema";
import { createTestDb, writeTempFile } from "../../../db/testing";
import { createRng, uniformInt } from "../../../stats/random";
import { handCheckedBattles } from "./arena.fixtures";
import { peekFirstByte, splitJsonArray } from "./read-json-array";
import { importFile } from "./run-import";

/** Feeds `bytes` in chunks of the given sizes (cycled), as a file stream would, counting pulls. */
function chunked(bytes: Buffer, sizes: number[]) {
  const source = { pulled: 0 };
  async function* chunks() {
    for (let at = 0, k = 0; at < bytes.length; k++) {
      source.pulled++;
      const size = sizes[k % sizes.length]!;
      yield bytes.subarray(at, at + size);
      at += size;
    }
  }
  return { source, chunks: chunks() };
}

async function elements(bytes: Buffer, sizes: number[]) {
  const out = [];
  for await (const r of splitJsonArray(chunked(bytes, sizes).chunks, () => 0)) out.push(r);
  return out;
}

const tricky = [
  { prompt: "brackets ] } [ { and commas , , inside strings", chosen: 'escaped \\" quote and \\\\', rejected: "é ü 日本語 🎬 multi-byte" },
  { prompt: "nested", chosen: "c", rejected: "r", meta: { list: [1, [2, { x: "]" }]], empty: {} } },
  "a string record",
  42,
  null,
];

describe("splitJsonArray", () => {
  it("yields exactly what JSON.parse reads, for any chunking (down to one byte), with record numbers and start lines", async () => {
    const pretty = Buffer.from(JSON.stringify(tricky, null, 2));
    const rng = createRng(5);
    const randomSizes = Array.from({ length: 64 }, () => 1 + uniformInt(rng, 40));
    for (const sizes of [[1], [2, 3], randomSizes, [1 << 20]]) {
      const got = await elements(pretty, sizes);
      expect(got.map((r) => r.value)).toEqual(tricky);
      expect(got.map((r) => r.record)).toEqual([1, 2, 3, 4, 5]);
    }
    // Where each element opens in the pretty-printed text ("  {" or a scalar indented by two).
    const expectedLines = pretty.toString().split("\n").flatMap((l, i) => (/^  [^ }\]]/.test(l) ? [i + 1] : []));
    expect(expectedLines).toEqual([2, 7, 24, 25, 26]);
    expect((await elements(pretty, [7])).map((r) => r.lineNumber)).toEqual(expectedLines);
  });

  it("streams: the first record comes out after the first chunk of a long array, not at the end", async () => {
    const big = Buffer.from(JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ prompt: `p${i}`, chosen: "c", rejected: "r" }))));
    const { source, chunks } = chunked(big, [1024]);
    const first = await splitJsonArray(chunks, () => 0).next();
    expect(first.value).toMatchObject({ record: 1, value: { prompt: "p0" } });
    expect(source.pulled).toBe(1);
    expect(big.length / 1024).toBeGreaterThan(100);
  });

  it("names each broken record and the array's own faults", async () => {
    const text = '[\n{"a": 1},\n{"b": },\n,\n{"c": 3}\n]\ntrailing';
    const got = await elements(Buffer.from(text), [3]);
    expect(got.map(({ lineNumber, record, value, error }) => ({ lineNumber, record, value, error: error?.replace(/\(.*\)/, "(…)") }))).toEqual([
      { lineNumber: 2, record: 1, value: { a: 1 }, error: undefined },
      { lineNumber: 3, record: 2, value: undefined, error: "invalid JSON (…)" },
      { lineNumber: 4, record: 3, value: undefined, error: "invalid JSON (…)" },
      { lineNumber: 5, record: 4, value: { c: 3 }, error: undefined },
      { lineNumber: 7, record: undefined, value: undefined, error: "unexpected text after the array's closing ]" },
    ]);
    expect((await elements(Buffer.from('[{"a":1},]'), [4])).at(-1)!.error).toBe("invalid JSON (a comma before the array's closing ])");
    expect((await elements(Buffer.from('[{"a":1},{"b":'), [4])).at(-1)).toMatchObject({ record: 2, error: "the file ends inside this record (the array is never closed)" });
    expect((await elements(Buffer.from('[{"a":1},\n'), [4])).at(-1)).toMatchObject({ lineNumber: 2, error: "the file ends before the array's closing ]" });
    expect(await elements(Buffer.from("[ ]"), [1])).toEqual([]);
    const badUtf8 = Buffer.concat([Buffer.from('[{"a":"'), Buffer.from([0xff]), Buffer.from('"},{"b":2}]')]);
    expect((await elements(badUtf8, [5])).map((r) => r.error ?? r.value)).toEqual(["invalid UTF-8", { b: 2 }]);
  });

  it("finds the first meaningful byte past a byte-order mark and whitespace, and replays what it read", async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(' \n [{"a":1}]')]);
    const peeked = await peekFirstByte(chunked(bytes, [2]).chunks);
    expect(peeked.first).toBe("[".charCodeAt(0));
    const replayed: Buffer[] = [];
    for await (const c of peeked.chunks) replayed.push(c);
    expect(Buffer.concat(replayed)).toEqual(bytes);
    expect((await peekFirstByte(chunked(Buffer.from("  \n"), [1]).chunks)).first).toBeNull();
  });
});

describe("importing a JSON array of records", () => {
  const rows = Array.from({ length: 4 }, (_, i) => ({ prompt: `p${i}`, chosen: `c${i}`, rejected: `r${i}` }));

  it("reads pandas' to_json(orient='records') (one line), pretty-printed and gzipped arrays like JSON Lines", async () => {
    for (const [name, content] of [
      ["records.json", JSON.stringify(rows)],
      ["pretty.json", JSON.stringify(rows, null, 4)],
      ["upload.jsonl", `\ufeff${JSON.stringify(rows)}\n`],
      ["records.json.gz", zlib.gzipSync(JSON.stringify(rows))],
    ] as const) {
      const { db } = createTestDb();
      const report = await importFile(db, writeTempFile(name, content), { projectName: "arr", format: "auto" });
      expect(report).toMatchObject({ ok: true, format: "trl", imported: 4, problemCount: 0 });
      expect(db.select().from(prompts).all().map((p) => p.text)).toEqual(rows.map((r) => r.prompt));
    }
  });

  it("imports an Arena dump saved as one array, auto-detected", async () => {
    const { db } = createTestDb();
    const battles = handCheckedBattles();
    const report = await importFile(db, writeTempFile("arena.json", JSON.stringify(battles)), { projectName: "arena", format: "auto" });
    expect(report).toMatchObject({ ok: true, format: "arena", imported: battles.length });
  });

  it("reports bad records by record number and start line, imports nothing, and with --skip-invalid exactly the good ones of a one-line array", async () => {
    const bad = [rows[0], { prompt: "p", chosen: "c" }, rows[1], rows[0], rows[2]];
    const file = writeTempFile("bad.json", JSON.stringify(bad));
    const { db } = createTestDb();
    const refused = await importFile(db, file, { projectName: "arr", format: "auto" });
    expect(refused.problems).toEqual([
      { line: 1, record: 2, reason: 'missing field "rejected"' },
      { line: 1, record: 4, reason: "duplicate of record 1" },
    ]);
    expect(db.select({ n: count() }).from(judgements).get()!.n).toBe(0);
    const skipped = await importFile(db, file, { projectName: "arr", format: "auto", skipInvalid: true });
    expect(skipped).toMatchObject({ ok: true, imported: 3, skipped: 2 });
    expect(db.select().from(prompts).all().map((p) => p.text)).toEqual(["p0", "p1", "p2"]);
  });
});
