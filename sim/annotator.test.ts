import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The simulator against the REAL route handlers, served over node:http on 127.0.0.1, on a real
// temporary database. The test reads the database to check what arrived; the simulator only has a URL.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-sim-"));
const dbFile = path.join(dir, "preflab.db");
process.env.PREFLAB_DB = dbFile;

const { startApiServer } = await import("./api-server");
const { SimulatedAnnotator, reviewText } = await import("./annotator");
const { getServerDb } = await import("../server/db");
const { createUser } = await import("../server/services/auth");
const { ensureProject } = await import("../server/services/projects");
const { createCorrectionTasks, createPairTasks, createRankTasks } = await import("../server/services/tasks");
const { setSettings } = await import("../server/services/tasks-fixtures");
const { completions, judgements, prompts, tasks } = await import("../db/schema");
const { movieSentimentScorer, loadRatedSnippets } = await import("../stats/sentiment-scorer");
const { createRng, shuffle } = await import("../stats/random");

const PASSWORD = "sim-password";
let server: Awaited<ReturnType<typeof startApiServer>>;
const db = getServerDb();

/** A project whose prompts are review openings, continued by real snippets' remaining words. */
function seedProject(name: string, counts: { pair: number; rank: number; correction: number }, seed: number) {
  const project = ensureProject(db, name, null);
  setSettings(db, project.id, { goldRate: 0, judgementsPerTask: 1, allowRankTies: false });
  const texts = shuffle(createRng(seed), loadRatedSnippets().map((s) => s.text.split(/\s+/)).filter((w) => w.length >= 8));
  let next = 0;
  const addPrompt = (n: number) => {
    const opening = texts[next].slice(0, 2).join(" ");
    const promptId = db.insert(prompts).values({ projectId: project.id, text: opening }).returning().get().id;
    const completionIds = Array.from({ length: n }, () => {
      const text = ` ${texts[next++].slice(2).join(" ")}`;
      return db.insert(completions).values({ promptId, origin: "import", text }).returning().get().id;
    });
    return { promptId, completionIds };
  };
  createPairTasks(db, project.id, Array.from({ length: counts.pair }, () => addPrompt(2)));
  createRankTasks(db, project.id, Array.from({ length: counts.rank }, () => addPrompt(4)));
  createCorrectionTasks(db, project.id, Array.from({ length: counts.correction }, () => addPrompt(2)));
  return project;
}

beforeAll(async () => {
  server = await startApiServer({ dbFile });
  createUser(db, { username: "sim", password: PASSWORD, role: "annotator" });
  createUser(db, { username: "sim2", password: PASSWORD, role: "annotator" });
  createUser(db, { username: "sim3", password: PASSWORD, role: "annotator" });
});

afterAll(() => server?.close());

/** The hidden score of a stored completion, as a reader sees it (opening + continuation). */
function hiddenScore(completionId: number): number {
  const c = db.select().from(completions).where(eq(completions.id, completionId)).get()!;
  const p = db.select().from(prompts).where(eq(prompts.id, c.promptId)).get()!;
  return movieSentimentScorer().score(reviewText(p.text, c.text));
}

const judgementsOf = (projectId: number) =>
  db.select({ j: judgements, kind: tasks.kind, completionIds: tasks.completionIds }).from(judgements)
    .innerJoin(tasks, eq(tasks.id, judgements.taskId)).where(eq(tasks.projectId, projectId)).all();

describe("SimulatedAnnotator over HTTP", () => {
  it("judges every pair, rank and correction task through the API as the noiseless hidden preference says", async () => {
    const project = seedProject("sim-all-kinds", { pair: 12, rank: 6, correction: 6 }, 1);
    const report = await new SimulatedAnnotator({ url: server.url, username: "sim", password: PASSWORD, project: project.name, seed: 3, editRate: 0.5 }).run();
    expect(report).toMatchObject({ judged: 24, ties: 0, skipped: 0, byKind: { pair: 12, rank: 6, correction: 6 } });
    expect(report.agreement.rate).toBe(1);

    const rows = judgementsOf(project.id);
    expect(rows).toHaveLength(24);
    expect(db.select().from(tasks).where(eq(tasks.projectId, project.id)).all().every((t) => t.status !== "open")).toBe(true);
    for (const { j, kind, completionIds } of rows) {
      const best = completionIds.reduce((a, b) => (hiddenScore(a) >= hiddenScore(b) ? a : b));
      if (kind === "pair") expect(j.displayOrder[j.outcome === "left" ? 0 : 1]).toBe(best);
      if (kind === "correction") expect(j.chosenCompletionId).toBe(best);
      if (kind === "rank") {
        const order = j.ranking!.flat();
        expect(order.map(hiddenScore)).toEqual([...order.map(hiddenScore)].sort((a, b) => b - a));
      }
    }
    // Light edits arrive as corrected completions (edited ≻ chosen), the rest unchanged.
    expect(rows.filter((r) => r.j.correctedCompletionId !== null)).toHaveLength(report.edited);
  });

  it("ties at the configured rate and follows Bradley-Terry noise", async () => {
    const project = seedProject("sim-ties", { pair: 240, rank: 0, correction: 0 }, 2);
    const report = await new SimulatedAnnotator({ url: server.url, username: "sim2", password: PASSWORD, project: project.name, seed: 5, tieRate: 0.25, temperature: 1 }).run();
    expect(report.judged).toBe(240);
    const ties = judgementsOf(project.id).filter((r) => r.j.outcome === "tie").length;
    expect(ties).toBe(report.ties);
    // Binomial(240, 0.25): sd 0.028; 4 sd either side.
    expect(Math.abs(ties / 240 - 0.25)).toBeLessThan(0.112);
    // With temperature 1 rating unit some decided pairs go against the preference, most do not.
    expect(report.agreement.rate!).toBeGreaterThan(0.6);
    expect(report.agreement.rate!).toBeLessThan(0.98);
  });

  it("stops at its budget and refuses a wrong password", async () => {
    const project = seedProject("sim-budget", { pair: 5, rank: 0, correction: 0 }, 3);
    const report = await new SimulatedAnnotator({ url: server.url, username: "sim3", password: PASSWORD, project: project.name, limit: 2 }).run();
    expect(report.judged).toBe(2);
    await expect(new SimulatedAnnotator({ url: server.url, username: "sim3", password: "wrong-password", project: project.name }).run()).rejects.toThrow(/Wrong username or password/);
  });
});

describe("simulate-annotator CLI", () => {
  it("labels through the URL alone, from a process whose PREFLAB_DB cannot even be created", async () => {
    const project = seedProject("sim-cli", { pair: 4, rank: 1, correction: 1 }, 4);
    createUser(db, { username: "sim-cli", password: PASSWORD, role: "annotator" });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["bin/preflab.mjs", "simulate-annotator", "--url", server.url, "--user", "sim-cli", "--password", PASSWORD, "--project", project.name, "--json"],
      { env: { ...process.env, PREFLAB_DB: "/dev/null/no-database-here.db" } },
    );
    const report = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(report).toMatchObject({ judged: 6, skipped: 0, ties: 0, agreement: { rate: 1 } });
    expect(judgementsOf(project.id)).toHaveLength(6);
  });

  it("imports nothing that can reach the database", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const [, spec] of fs.readFileSync(file, "utf8").matchAll(/from "([^"]+)"/g)) {
        expect(spec).not.toMatch(/better-sqlite3|drizzle/);
        if (spec.startsWith(".")) visit(path.resolve(path.dirname(file), `${spec}.ts`));
      }
    };
    visit(path.resolve("sim/annotator.ts"));
    visit(path.resolve("bin/commands/simulate.ts"));
    const local = [...seen].map((f) => path.relative(process.cwd(), f));
    expect(local.filter((f) => /^(db|server|app|trainer)\//.test(f))).toEqual([]);
  });
});
