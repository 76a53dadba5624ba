import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { createTestDb, writeTempFile } from "../../../db/testing";
import { importFile } from "../import/run-import";
import { csvCell } from "./csv-cell";
import { exportToFile } from "./write-export";

describe("CSV cells", () => {
  it("neutralises text that a spreadsheet would run as a formula, and quotes as RFC 4180 says", () => {
    expect(csvCell("=HYPERLINK(\"http://x\",\"click\")")).toBe(`"'=HYPERLINK(""http://x"",""click"")"`);
    for (const start of ["+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]) expect(csvCell(start)).toBe(`"'${start.replaceAll('"', '""')}"`);
    expect(csvCell("a, b")).toBe('"a, b"');
    expect(csvCell("plain text")).toBe("plain text");
    expect(csvCell(-0.5)).toBe("-0.5"); // a number is a value
    expect(csvCell(null)).toBe("");
  });

  it("an exported completion that starts with = reads back as text with its quote, never as a formula", async () => {
    const { db, dir } = createTestDb();
    const rows = [{ prompt: "@risk", chosen: "=1+1", rejected: "-cmd|' /C calc'!A0" }];
    const report = await importFile(db, writeTempFile("hostile.jsonl", rows.map((r) => JSON.stringify(r)).join("\n")), { projectName: "hostile", format: "trl" });
    const out = path.join(dir, "export.csv");
    await exportToFile(db, "csv", { projectId: report.projectId! }, out);
    const [record] = parse(fs.readFileSync(out, "utf8"), { columns: true }) as Array<Record<string, string>>;
    expect([record!.prompt, record!.chosen, record!.rejected]).toEqual(["'@risk", "'=1+1", "'-cmd|' /C calc'!A0"]);
  });
});
