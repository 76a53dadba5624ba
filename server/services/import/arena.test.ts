import fs from "node:fs";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { judgements, policies, users } from "../../../db/schema";
import { createTestDb, writeTempFile } from "../../../db/testing";
import { DEFAULT_PRIOR_WINS } from "../../../stats/bradley-terry-fit";
import { createCaller } from "../../root";
import { createInnerContext } from "../../trpc";
import { authenticate } from "../auth";
import { exportToFile } from "../export/write-export";
import { projectLeaderboard } from "../leaderboard";
import { findProjectByName } from "../projects";
import { arenaBattle, handCheckedBattles, HAND_TALLIES, toJsonl, type ArenaBattle } from "./arena.fixtures";
import { arenaJudgePseudonym } from "./arena-identities";
import { importFile } from "./run-import";

/**
 * The reference: Bradley-Terry fitted the plainest way, battle by battle, from Arena's own winner
 * strings: P(a beats b) = σ(θa − θb), a tie half a win each way, "tie (bothbad)" left out, plus
 * the leaderboard's weak prior (priorWins virtual wins and losses against a strength-0 reference),
 * by gradient ascent. Ratings on Arena's scale: 400 points per factor 10 in odds, the base at 1000.
 */
function naiveArenaRatings(battles: ArenaBattle[], base: string, priorWins = DEFAULT_PRIOR_WINS): Map<string, number> {
  const models = [...new Set(battles.flatMap((b) => [b.model_a, b.model_b]))];
  const theta = new Map(models.map((m) => [m, 0]));
  const sigma = (x: number) => 1 / (1 + Math.exp(-x));
  const scoreOfA = { model_a: 1, model_b: 0, tie: 0.5 } as Record<string, number>;
  for (let step = 0, moved = Infinity; moved > 1e-12 && step < 1_000_000; step++) {
    const gradient = new Map(models.map((m) => [m, priorWins * (1 - 2 * sigma(theta.get(m)!))]));
    for (const b of battles) {
      const y = scoreOfA[b.winner];
      if (y === undefined) continue;
      const residual = y - sigma(theta.get(b.model_a)! - theta.get(b.model_b)!);
      gradient.set(b.model_a, gradient.get(b.model_a)! + residual);
      gradient.set(b.model_b, gradient.get(b.model_b)! - residual);
    }
    for (const m of models) theta.set(m, theta.get(m)! + 0.05 * gradient.get(m)!);
    moved = Math.max(...[...gradient.values()].map((g) => Math.abs(0.05 * g)));
  }
  return new Map(models.map((m) => [m, 1000 + (400 / Math.LN10) * (theta.get(m)! - theta.get(base)!)]));
}

const countRows = (db: ReturnType<typeof createTestDb>["db"], table: typeof users | typeof policies | typeof judgements) =>
  db.select({ n: count() }).from(table).get()!.n;

describe("the naive reference itself", () => {
  it("gives 400·log10(3.5/1.5) between two models when one won 3, lost 1 and tied 1 (no prior, by hand)", () => {
    const votes: ArenaBattle[] = [
      ...["model_a", "model_a", "model_a", "model_b", "tie", "tie (bothbad)"].map((w, i) => arenaBattle(i, "x", "y", w as ArenaBattle["winner"])),
    ];
    expect(naiveArenaRatings(votes, "y", 0).get("x")).toBeCloseTo(1000 + 400 * Math.log10(3.5 / 1.5), 6);
  });
});

describe("importing Chatbot Arena battles", () => {
  it("detects the format, makes each model a policy and each battle a judged pair, and ranks them as the hand-checked reference does", async () => {
    const { db } = createTestDb();
    const battles = handCheckedBattles();
    const report = await importFile(db, writeTempFile("battles.jsonl", toJsonl(battles)), { projectName: "arena", format: "auto" });
    expect(report).toMatchObject({ ok: true, format: "arena", imported: battles.length, problemCount: 0 });

    const project = findProjectByName(db, "arena")!;
    const models = db.select().from(policies).where(eq(policies.projectId, project.id)).all();
    expect(models.map((p) => [p.name, p.kind, p.version])).toEqual([["alpaca-13b", "imported", 1], ["vicuna-13b", "imported", 1], ["koala-13b", "imported", 1]]);
    const kinds = db.$client.prepare("select kind, status, required_judgements r, judgement_count n from tasks").all();
    expect(kinds).toEqual(battles.map(() => ({ kind: "pair", status: "complete", r: 1, n: 1 })));
    const outcomes = db.select({ outcome: judgements.outcome, source: judgements.source, at: judgements.createdAt }).from(judgements).all();
    expect(outcomes.map((j) => j.outcome).slice(0, 6)).toEqual(["right", "left", "left", "left", "tie", "both_bad"]);
    expect(outcomes.every((j) => j.source === "import")).toBe(true);
    expect(outcomes[1]!.at.getTime()).toBe(Math.round(battles[1]!.tstamp * 1000));

    const board = projectLeaderboard(db, project.id, { bootstraps: 200 });
    expect(board).toMatchObject({ base: "alpaca-13b@1", judgements: battles.length });
    const reference = naiveArenaRatings(battles, "alpaca-13b");
    expect(board.rows.map((r) => r.policy)).toEqual(["vicuna-13b@1", "koala-13b@1", "alpaca-13b@1"]);
    for (const row of board.rows) {
      const model = row.policy.replace(/@1$/, "") as keyof typeof HAND_TALLIES;
      expect(row.rating).toBeCloseTo(reference.get(model)!, 4);
      expect(row).toMatchObject({ ...HAND_TALLIES[model], connectedToBase: true });
      if (model === "alpaca-13b") expect([row.rating, row.ciLow, row.ciHigh]).toEqual([1000, 1000, 1000]);
      else expect(row.ciLow < row.rating && row.rating < row.ciHigh).toBe(true);
    }
  });

  it("keeps the shared user turn as the prompt of a multi-turn battle, each model's rest of the conversation as its completion", async () => {
    const { db, dir } = createTestDb();
    const battles = handCheckedBattles();
    await importFile(db, writeTempFile("battles.jsonl", toJsonl(battles)), { projectName: "arena", format: "arena" });
    const out = path.join(dir, "conv.jsonl");
    await exportToFile(db, "trl-conversational", { projectId: findProjectByName(db, "arena")!.id }, out);
    const rows = fs.readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const multi = battles.at(-1)!;
    // Won by model_a (koala), so koala's conversation is the chosen one.
    expect(rows.at(-1)).toMatchObject({ prompt: multi.conversation_a.slice(0, 1), chosen: multi.conversation_a.slice(1), rejected: multi.conversation_b.slice(1) });
  });

  it("attributes each battle to a pseudonymous external judge who cannot sign in, and never stores the judge's own id", async () => {
    const { db, file, dir } = createTestDb();
    const battles = handCheckedBattles();
    const path1 = writeTempFile("battles.jsonl", toJsonl(battles));
    await importFile(db, path1, { projectName: "arena", format: "auto" });
    const judges = db.select().from(users).all();
    expect(judges.map((u) => u.pseudonym).sort()).toEqual(["arena_user_100", "arena_user_101", "arena_user_102", "arena_user_103", "arena_user_7"].map(arenaJudgePseudonym).sort());
    expect(judges.every((u) => u.external && u.disabled && u.passwordHash === null && u.username === u.pseudonym.replace("-", ":"))).toBe(true);
    expect(authenticate(db, judges[0]!.username, "")).toBeNull();

    const out = path.join(dir, "trl.jsonl");
    await exportToFile(db, "trl", { projectId: findProjectByName(db, "arena")!.id }, out);
    const exported = fs.readFileSync(out, "utf8");
    const annotators = exported.split("\n").filter(Boolean).map((l) => JSON.parse(l).provenance.annotator);
    expect(annotators[0]).toBe(arenaJudgePseudonym(battles[0]!.judge));
    db.$client.pragma("wal_checkpoint(TRUNCATE)");
    for (const text of [exported, fs.readFileSync(file).toString("latin1")]) expect(text).not.toContain("arena_user_");

    // A new instance whose first step was this import still offers its first-admin setup, and the
    // admin's user list shows people only.
    const anonymous = createCaller(createInnerContext({ db, user: null, setCookie: () => {} }));
    expect((await anonymous.auth.status()).needsSetup).toBe(true);
    const admin = await anonymous.auth.setup({ username: "root", password: "password1" });
    expect((await createCaller(createInnerContext({ db, user: admin })).users.list()).map((u) => u.username)).toEqual(["root"]);

    // The same dump again: the same models and judges, no new policies or users.
    await importFile(db, path1, { projectName: "arena", format: "auto" });
    expect([countRows(db, policies), countRows(db, users), countRows(db, judgements)]).toEqual([3, 5 + 1, 2 * battles.length]);
  });

  it("reports every malformed battle with its line number and reason, and writes nothing: no project, policy or judge", async () => {
    const { db } = createTestDb();
    const good = arenaBattle(0, "alpaca-13b", "vicuna-13b", "model_a");
    const rows = [
      good,
      { ...arenaBattle(1, "alpaca-13b", "vicuna-13b", "model_a"), winner: "model_c" },
      { ...arenaBattle(2, "alpaca-13b", "vicuna-13b", "model_a"), model_b: "alpaca-13b" },
      { ...arenaBattle(3, "alpaca-13b", "vicuna-13b", "model_a"), conversation_b: undefined },
      { ...arenaBattle(4, "alpaca-13b", "vicuna-13b", "model_a"), conversation_a: [{ role: "user", content: "hi" }] },
      { ...arenaBattle(5, "alpaca-13b", "vicuna-13b", "model_a"), conversation_b: [{ role: "user", content: "other" }, { role: "assistant", content: "x" }] },
      { ...arenaBattle(6, "alpaca-13b", "vicuna-13b", "model_a"), tstamp: "yesterday" },
      good,
    ];
    const text = toJsonl(rows).replace(/\n$/, "\n{broken\n");
    const report = await importFile(db, writeTempFile("bad.jsonl", text), { projectName: "arena", format: "auto" });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { line: 2, reason: 'winner: must be one of "model_a", "model_b", "tie", "tie (bothbad)"' },
      { line: 3, reason: 'model_a and model_b are the same model ("alpaca-13b")' },
      { line: 4, reason: 'missing field "conversation_b"' },
      { line: 5, reason: 'conversation_a: the last message is not the model\'s answer (role "assistant")' },
      { line: 6, reason: "conversation_a and conversation_b do not start with the same user turn" },
      { line: 7, reason: "tstamp: Invalid input: expected number, received string" },
      { line: 8, reason: "duplicate of line 1" },
      { line: 9, reason: expect.stringMatching(/^invalid JSON/) },
    ]);
    expect([countRows(db, policies), countRows(db, users), countRows(db, judgements), findProjectByName(db, "arena") ?? null]).toEqual([0, 0, 0, null]);
  });
});
