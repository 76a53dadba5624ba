import { preflab } from "./cli.fixtures";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { judgements } from "../../db/schema";
import { createTestDb, writeTempFile } from "../../db/testing";
import { importRows, MARKER, plantedRows } from "../../trainer/reward/executor-fixtures";
import { LinearRewardModel } from "../../trainer/reward/linear";


describe("preflab train reward / reward score / leaderboard", () => {
  it("trains a linear reward model, prints its metrics as one JSON object, and scores with it by id and by dir", async () => {
    const { db, file } = createTestDb();
    await importRows(db, "planted", plantedRows(120));
    const config = writeTempFile("config.json", JSON.stringify({ hashBits: 12 })); // 4,096 buckets: plenty here, and fast
    const trained = await preflab(file, ["train", "reward", "--project", "planted", "--kind", "linear", "--config", config, "--json"]);
    expect(trained.stderr).toContain("queued reward run 1");
    expect(trained.code).toBe(0);
    const lines = trained.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]!);
    expect(summary).toMatchObject({ runId: 1, rewardModelId: 1, kind: "linear", pairs: 12 });
    expect(summary.accuracy).toBeGreaterThan(0.95);

    const input = writeTempFile("items.jsonl", [`{"prompt":"p","completion":"a ${MARKER} plot"}`, "", '{"prompt":"p","completion":"a weak plot"}'].join("\n"));
    const byId = await preflab(file, ["reward", "score", "--reward-model", "1", "--input", input]);
    const byDir = await preflab(file, ["reward", "score", "--reward-model", summary.path, "--input", input]);
    expect(byId.stdout).toBe(byDir.stdout);
    const model = LinearRewardModel.fromJSON(JSON.parse(readFileSync(path.join(summary.path, "linear-reward.json"), "utf8")));
    const expected = [`a ${MARKER} plot`, "a weak plot"].map((c) => JSON.stringify({ score: model.score("p", c) }));
    expect(byId.stdout.trim().split("\n")).toEqual(expected);
  }, 60_000);

  it("names the bad input line, and fails fast on a project whose judgements are all ties", async () => {
    const { db, file } = createTestDb();
    await importRows(db, "ties", plantedRows(30));
    db.update(judgements).set({ outcome: "tie" }).run();
    const bad = writeTempFile("bad.jsonl", '{"prompt":"p","completion":"fine"}\n{"prompt":"p"}\n');
    const scored = await preflab(file, ["reward", "score", "--reward-model", "7", "--input", bad]);
    expect([scored.code, scored.stderr]).toEqual([1, `preflab: ${bad}:2: expected an object with string "prompt" and "completion"\n`]);
    const trained = await preflab(file, ["train", "reward", "--project", "ties", "--kind", "linear", "--json"]);
    expect(trained.code).toBe(1);
    expect(trained.stdout).toBe("");
    expect(trained.stderr).toContain("reward run 1 failed: every usable judgement is a tie (0 preferred, 30 tie, 0 both-bad)");
  }, 60_000);

  it("prints an empty leaderboard as JSON for a project without policies", async () => {
    const { db, file } = createTestDb();
    await importRows(db, "imported", plantedRows(3));
    const out = await preflab(file, ["leaderboard", "--project", "imported", "--json"]);
    expect([out.code, JSON.parse(out.stdout)]).toEqual([0, { project: "imported", base: null, rows: [], judgements: 0, synthetic: [] }]);
  }, 60_000);
});
