import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { count } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { judgements, projects, prompts } from "../../../db/schema";
import { createTestDb, writeTempFile } from "../../../db/testing";
import { exportToFile } from "../export/write-export";
import { findProjectByName } from "../projects";
import { splitHhTranscripts } from "../../../db/hh-transcripts";
import { importFile } from "./run-import";

const HH_FILE = path.resolve("data/hh-rlhf/harmless-base-test.part1.jsonl.gz");
const hhRecords = () =>
  zlib.gunzipSync(fs.readFileSync(HH_FILE)).toString("utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { chosen: string; rejected: string });
const readJsonl = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const rowCount = (db: ReturnType<typeof createTestDb>["db"], table: typeof prompts | typeof judgements | typeof projects) =>
  db.select({ n: count() }).from(table).get()!.n;

describe("importing the real HH-RLHF file", () => {
  it("imports all 1,500 pairs and exports TRL rows with the same prompt, chosen and rejected text", async () => {
    const { db, dir } = createTestDb();
    const report = await importFile(db, HH_FILE, { projectName: "hh", format: "auto" });
    expect(report).toMatchObject({ ok: true, format: "hh", imported: 1500, skipped: 0, problemCount: 0 });
    const project = findProjectByName(db, "hh")!;
    const out = path.join(dir, "trl.jsonl");
    expect(await exportToFile(db, "trl", { projectId: project.id }, out)).toBe(1500);
    const exported = readJsonl(out);
    hhRecords().forEach((original, i) => {
      const split = splitHhTranscripts(original.chosen, original.rejected)!;
      expect(exported[i]).toMatchObject({ prompt: split.prompt, chosen: split.chosen, rejected: split.rejected });
      expect(split.prompt + split.chosen).toBe(original.chosen);
      expect(split.prompt + split.rejected).toBe(original.rejected);
    });
    expect(exported[0].provenance).toMatchObject({ source: "import", relation: "preferred", weight: 1 });
  });

  it("exports HH transcripts byte-identical to the imported ones, including the record that diverges early", async () => {
    const { db, dir } = createTestDb();
    await importFile(db, HH_FILE, { projectName: "hh", format: "hh" });
    const out = path.join(dir, "hh.jsonl");
    await exportToFile(db, "hh", { projectId: findProjectByName(db, "hh")!.id }, out);
    const exported = readJsonl(out);
    expect(exported.map((r) => [r.chosen, r.rejected])).toEqual(hhRecords().map((r) => [r.chosen, r.rejected]));
  });
});

describe("bad input", () => {
  const good = (n: number) => JSON.stringify({ prompt: `p${n}`, chosen: `c${n}`, rejected: `r${n}` });
  const lines = [
    good(1),
    "{not json",
    JSON.stringify({ prompt: "p", chosen: "c" }),
    good(1),
    JSON.stringify({ prompt: "p", chosen: "x".repeat(100_001), rejected: "r" }),
    JSON.stringify({ prompt: "p", chosen: "same", rejected: "same" }),
    good(2),
  ];
  const withBadUtf8 = Buffer.concat([Buffer.from(lines.join("\n") + "\n"), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a])]);

  it("reports every bad line with its number and reason and imports nothing", async () => {
    const { db } = createTestDb();
    const report = await importFile(db, writeTempFile("pairs.jsonl", withBadUtf8), { projectName: "bad", format: "trl" });
    expect(report.ok).toBe(false);
    expect(report.imported).toBe(0);
    expect(report.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 8]);
    const reasons = report.problems.map((p) => p.reason);
    expect(reasons[0]).toMatch(/invalid JSON/);
    expect(reasons[1]).toBe('missing field "rejected"');
    expect(reasons[2]).toBe("duplicate of line 1");
    expect(reasons[3]).toMatch(/longer than 100,000 characters/);
    expect(reasons[4]).toBe("chosen and rejected are identical");
    expect(reasons[5]).toBe("invalid UTF-8");
    expect(rowCount(db, projects)).toBe(0);
    expect(rowCount(db, prompts)).toBe(0);
  });

  it("imports exactly the valid rows when asked to skip bad ones, and counts the skipped", async () => {
    const { db } = createTestDb();
    const report = await importFile(db, writeTempFile("pairs.jsonl", withBadUtf8), { projectName: "bad", format: "trl", skipInvalid: true });
    expect(report).toMatchObject({ ok: true, imported: 2, skipped: 6 });
    expect(rowCount(db, judgements)).toBe(2);
  });

  it("holds conversational fields to the same 100,000-character limit, counting all their messages together", async () => {
    const { db } = createTestDb();
    const msg = (role: string, content: string) => ({ role, content });
    const half = "y".repeat(60_000);
    const rows = [
      { prompt: [msg("user", "q1")], chosen: [msg("assistant", "x".repeat(100_001))], rejected: [msg("assistant", "r")] },
      { prompt: [msg("user", half), msg("user", half)], chosen: "c", rejected: "r" },
      { chosen: [msg("user", "q3"), msg("assistant", half), msg("assistant", half)], rejected: [msg("user", "q3"), msg("assistant", "r")] },
      { prompt: [msg("user", "q4")], chosen: [msg("assistant", "x".repeat(100_000))], rejected: [msg("assistant", "r")] },
    ];
    const report = await importFile(db, writeTempFile("chat.jsonl", rows.map((r) => JSON.stringify(r)).join("\n") + "\n"), { projectName: "chat", format: "trl" });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { line: 1, reason: "chosen: text longer than 100,000 characters (all messages together)" },
      { line: 2, reason: "prompt: text longer than 100,000 characters (all messages together)" },
      { line: 3, reason: "chosen: text longer than 100,000 characters (all messages together)" },
    ]);
    const prompts = await importFile(db, writeTempFile("p.jsonl", JSON.stringify({ prompt: [msg("user", half), msg("user", half)] }) + "\n"), { projectName: "p", format: "prompts" });
    expect(prompts.problems).toEqual([{ line: 1, reason: "prompt: text longer than 100,000 characters (all messages together)" }]);
  });

  it("refuses a file whose format cannot be told and one with no rows", async () => {
    const { db } = createTestDb();
    const unknown = await importFile(db, writeTempFile("x.jsonl", '{"foo": 1}\n'), { projectName: "x", format: "auto" });
    expect(unknown.ok).toBe(false);
    expect(unknown.problems[0]).toEqual({ line: 1, reason: "cannot tell the format from this row's fields; pass --format" });
    const empty = await importFile(db, writeTempFile("e.jsonl", "\n\n"), { projectName: "x", format: "auto" });
    expect(empty).toMatchObject({ ok: false, problems: [{ line: 0, reason: "the file has no rows" }] });
  });
});

describe("other formats", () => {
  it("imports CSV prompts, counting quoted multi-line fields as one row", async () => {
    const { db } = createTestDb();
    const csv = 'prompt\n"Write a haiku about ""rain"""\n"two\nlines"\nplain\n';
    const report = await importFile(db, writeTempFile("prompts.csv", csv), { projectName: "csv", format: "auto" });
    expect(report).toMatchObject({ ok: true, format: "prompts", imported: 3 });
    expect(db.select().from(prompts).all().map((p) => p.text)).toEqual(['Write a haiku about "rain"', "two\nlines", "plain"]);
  });

  it("takes the shared leading messages as the prompt of conversational TRL rows and exports them back", async () => {
    const { db, dir } = createTestDb();
    const user = { role: "user", content: "Name a fruit." };
    const row = { chosen: [user, { role: "assistant", content: "Apple." }], rejected: [user, { role: "assistant", content: "Rock." }] };
    const report = await importFile(db, writeTempFile("conv.jsonl", JSON.stringify(row)), { projectName: "conv", format: "auto" });
    expect(report).toMatchObject({ ok: true, format: "trl", imported: 1 });
    const out = path.join(dir, "conv.jsonl");
    await exportToFile(db, "trl-conversational", { projectId: findProjectByName(db, "conv")!.id }, out);
    expect(readJsonl(out)[0]).toMatchObject({ prompt: [user], chosen: [row.chosen[1]], rejected: [row.rejected[1]] });
  });

  it("creates open pair and rank tasks from prompt + completions rows", async () => {
    const { db } = createTestDb();
    const rows = [{ prompt: "a", completions: ["x", "y"] }, { prompt: "b", completions: ["1", "2", "3", "4"] }];
    const report = await importFile(db, writeTempFile("c.jsonl", rows.map((r) => JSON.stringify(r)).join("\n")), { projectName: "c", format: "auto" });
    expect(report).toMatchObject({ ok: true, format: "completions", imported: 2 });
    const kinds = db.$client.prepare("select kind, status, required_judgements r from tasks order by id").all();
    expect(kinds).toEqual([{ kind: "pair", status: "open", r: 3 }, { kind: "rank", status: "open", r: 3 }]);
  });

  it("makes correction tasks and gold tasks on request, with gold given as completion indexes", async () => {
    const { db } = createTestDb();
    const rows = [
      { prompt: "fix me", completions: ["a", "b"], task: "correction" },
      { prompt: "gold pair", completions: ["good", "bad"], gold: { winner: 0 } },
      { prompt: "gold rank", completions: ["x", "y", "z"], gold: { ranking: [[2], [0, 1]] } },
    ];
    const report = await importFile(db, writeTempFile("g.jsonl", rows.map((r) => JSON.stringify(r)).join("\n")), { projectName: "g", format: "completions" });
    expect(report).toMatchObject({ ok: true, imported: 3 });
    const tasks = db.$client.prepare("select kind, is_gold g, gold_answer a, completion_ids c from tasks order by id").all() as Array<{ kind: string; g: number; a: string | null; c: string }>;
    expect(tasks.map((t) => [t.kind, t.g])).toEqual([["correction", 0], ["pair", 1], ["rank", 1]]);
    const [, pair, rank] = tasks.map((t) => ({ ids: JSON.parse(t.c) as number[], gold: t.a && JSON.parse(t.a) }));
    expect(pair!.gold).toEqual({ winner: pair!.ids[0] });
    expect(rank!.gold).toEqual({ ranking: [[rank!.ids[2]], [rank!.ids[0], rank!.ids[1]]] });
  });

  it("reports a gold answer that does not fit its task, by line", async () => {
    const { db } = createTestDb();
    const rows = [{ prompt: "p", completions: ["a", "b"], gold: { winner: 5 } }, { prompt: "q", completions: ["a", "b", "c"], gold: { winner: 0 } }, { prompt: "r", completions: ["a"], task: "pair" }];
    const report = await importFile(db, writeTempFile("g.jsonl", rows.map((r) => JSON.stringify(r)).join("\n")), { projectName: "g", format: "completions" });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'gold: A pair gold task needs a winner among its completions. (use indexes into "completions")'],
      [2, 'gold: A rank gold task needs a gold ranking. (use indexes into "completions")'],
      [3, "a pair task needs exactly 2 completions, got 1"],
    ]);
  });
});
