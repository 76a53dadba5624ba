import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IMPORT_FORMATS } from "../../db/enums";
import { imports } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { importFile } from "../services/import/run-import";
import { databaseChecksum } from "./db-checksum";
import { hostileString, mutatedInput } from "./hostile-json";

/**
 * Issue 13's fuzzing of the import parser: arbitrary and mutated JSONL, JSON and CSV files, plain
 * or gzipped (whole, truncated, damaged), in every format and both modes, give either a valid
 * import or a report whose every problem names a line, never another kind of throw, and a refused
 * file writes nothing. Seeded like the procedure fuzzing (FUZZ_SEED, FUZZ_RUNS).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_13);
const RUNS = Number(process.env.FUZZ_RUNS ?? 15) * 10;

const text = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: hostileString });
const transcript = fc.tuple(text, text).map(([q, a]) => `\n\nHuman: ${q}\n\nAssistant: ${a}`);
const messages = fc.array(fc.record({ role: fc.constantFrom("user", "assistant", "system", ""), content: text }), { maxLength: 3 });

/** Rows each format accepts, before mutation. */
const validRow = fc.oneof(
  fc.record({ prompt: text, chosen: text, rejected: text }),
  fc.record({ prompt: messages, chosen: messages, rejected: messages }),
  fc.record({ chosen: messages, rejected: messages }),
  fc.record({ prompt: text }),
  fc.record({ prompt: text, completions: fc.array(text, { minLength: 1, maxLength: 10 }) }),
  fc.record({ prompt: text, completions: fc.array(text, { minLength: 2, maxLength: 4 }), task: fc.constantFrom("pair", "rank", "correction"), gold: fc.oneof(fc.record({ winner: fc.integer({ min: -1, max: 4 }) }), fc.record({ ranking: fc.array(fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 }), { maxLength: 3 }) })) }),
  fc.tuple(transcript, transcript, transcript).map(([shared, a, b]) => ({ chosen: shared + a, rejected: shared + b })),
  fc.record({ model_a: text, model_b: text, winner: fc.constantFrom("model_a", "model_b", "tie", "tie (bothbad)", "x"), conversation_a: messages, conversation_b: messages, judge: text }),
);
const row = validRow.chain((r) => fc.oneof({ weight: 2, arbitrary: fc.constant(r as unknown) }, { weight: 1, arbitrary: mutatedInput(r) }));

const jsonlLine = fc.oneof(
  { weight: 6, arbitrary: row.map((r) => JSON.stringify(r)) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(""), fc.constant("   "), fc.string({ maxLength: 20 }), fc.constantFrom("{", "[", "null", "[]", '{"prompt":', "\u0000")) },
);
const ending = fc.constantFrom("\n", "\r\n");
const jsonlFile = fc.tuple(fc.array(jsonlLine, { minLength: 0, maxLength: 8 }), ending, fc.boolean()).map(([lines, eol, last]) => lines.join(eol) + (last ? eol : ""));
const jsonArrayFile = fc.array(row, { maxLength: 6 }).chain((rows) =>
  fc.oneof(
    fc.constant(JSON.stringify(rows)),
    fc.constant(JSON.stringify(rows, null, 2)),
    fc.nat().map((cut) => JSON.stringify(rows).slice(0, cut % (JSON.stringify(rows).length + 1))),
  ),
);

const csvCell = fc.oneof(text, fc.constantFrom('"', '""', '"a,b"', "a\nb", '"unterminated', ",", "=cmd()"));
const csvHeader = fc.constantFrom(["prompt"], ["prompt", "chosen", "rejected"], ["prompt", "completion_1", "completion_2"], ["prompt", "completion"], ["text"], ["a", "b"], ["prompt", "prompt"], []);
const csvFile = fc.tuple(csvHeader, fc.array(fc.array(csvCell, { maxLength: 4 }), { maxLength: 6 }), ending).map(([header, rows, eol]) =>
  [header, ...rows].map((cells) => cells.map((c) => (/[",\n]/.test(c) && !c.startsWith('"') ? `"${c.replaceAll('"', '""')}"` : c)).join(",")).join(eol),
);

/** The file's bytes: sometimes with a byte that is not UTF-8, sometimes gzipped, whole or damaged. */
const damage = (content: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(Buffer.from(content)) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom(0xff, 0xc3, 0x80, 0xed)).map(([at, byte]) => { const b = Buffer.from(content); return Buffer.concat([b.subarray(0, at % (b.length + 1)), Buffer.from([byte]), b.subarray(at % (b.length + 1))]); }) },
    { weight: 2, arbitrary: fc.constant(zlib.gzipSync(content)) },
    { weight: 1, arbitrary: fc.nat().map((cut) => { const z = zlib.gzipSync(content); return z.subarray(0, 2 + (cut % (z.length - 1))); }) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.nat({ max: 255 })).map(([at, byte]) => { const z = Buffer.from(zlib.gzipSync(content)); z[2 + (at % (z.length - 2))] ^= byte || 1; return z; }) },
  );

const upload = fc.oneof(
  jsonlFile.map((content) => ({ content, name: "upload.jsonl" })),
  jsonArrayFile.map((content) => ({ content, name: "upload.json" })),
  csvFile.map((content) => ({ content, name: "upload.csv" })),
).chain(({ content, name }) => damage(content).map((bytes) => ({ bytes, name: bytes[0] === 0x1f && bytes[1] === 0x8b ? `${name}.gz` : name, lines: content.split("\n").length })));

const options = fc.record({ format: fc.constantFrom("auto" as const, ...IMPORT_FORMATS), skipInvalid: fc.boolean() });

describe("importing hostile files", () => {
  it("gives a valid import or line-numbered problems, never another throw, and a refused file writes nothing", async () => {
    const { db } = createTestDb();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-import-fuzz-"));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(upload, options, async (file, opts) => {
        const filePath = path.join(dir, `${++n}-${file.name}`);
        fs.writeFileSync(filePath, file.bytes);
        const before = databaseChecksum(db);
        const report = await importFile(db, filePath, { projectName: "fuzz", fileName: file.name, ...opts });
        for (const problem of report.problems) {
          expect(Number.isInteger(problem.line) && problem.line >= 0 && problem.line <= file.lines + 1, `line ${problem.line} of ${file.lines}`).toBe(true);
          expect(problem.reason).not.toBe("");
        }
        if (!report.ok) {
          expect(report.problems.length).toBeGreaterThan(0);
          expect(databaseChecksum(db), "a refused import wrote something").toBe(before);
          return;
        }
        if (!opts.skipInvalid) expect(report.problemCount).toBe(0);
        // What was written is what was counted: no partial write.
        const recorded = db.select().from(imports).where(eq(imports.id, report.importId!)).get()!;
        expect({ imported: recorded.rowsImported, skipped: recorded.rowsSkipped }).toEqual({ imported: report.imported, skipped: report.skipped });
      }),
      { seed: SEED, numRuns: RUNS, timeout: 5_000 },
    );
  });
});
