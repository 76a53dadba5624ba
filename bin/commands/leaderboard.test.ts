import { describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client";
import { createTestDb, writeTempFile } from "../../db/testing";
import { handCheckedBattles, HAND_TALLIES } from "../../server/services/import/arena.fixtures";
import { projectLeaderboard } from "../../server/services/leaderboard";
import { findProjectByName } from "../../server/services/projects";
import { preflab } from "./cli.fixtures";

// The real CLI in its own process, one per test, on one database the first test fills.
describe("preflab import (Arena battles) and preflab leaderboard", () => {
  const { file } = createTestDb();
  const battles = handCheckedBattles();
  const leaderboardOf = (f: string) => {
    const db = openDatabase(f);
    return JSON.parse(JSON.stringify(projectLeaderboard(db, findProjectByName(db, "arena")!.id)));
  };

  it("imports an Arena dump saved as a JSON array, format detected", async () => {
    const imported = await preflab(file, ["import", writeTempFile("battles.json", JSON.stringify(battles)), "--project", "arena"]);
    expect([imported.code, imported.stdout]).toEqual([0, `imported ${battles.length} arena rows into project "arena"\n`]);
  }, 120_000);

  it("prints the service's leaderboard as one JSON object: models ranked, hand-checked tallies, intervals", async () => {
    const out = await preflab(file, ["leaderboard", "--project", "arena", "--json"]);
    expect(out.code).toBe(0);
    const board = JSON.parse(out.stdout);
    expect(board).toEqual({ project: "arena", ...leaderboardOf(file) }); // same bootstrap seed: the same intervals
    expect(board.rows.map((r: { policy: string }) => r.policy)).toEqual(["vicuna-13b@1", "koala-13b@1", "alpaca-13b@1"]);
    expect(board.rows[0]).toMatchObject(HAND_TALLIES["vicuna-13b"]);
    expect(board.rows[0].ciLow).toBeLessThan(board.rows[0].rating);
  }, 120_000);

  it("prints it as a table with the both-bad count in its own column", async () => {
    const out = await preflab(file, ["leaderboard", "--project", "arena"]);
    expect(out.code).toBe(0);
    const top = leaderboardOf(file).rows[0];
    const vicuna = out.stdout.split("\n").find((l) => l.includes("vicuna-13b@1"))!;
    expect(vicuna.split("│").map((cell) => cell.trim())).toEqual(["", "0", "'vicuna-13b@1'", "1181", `'${Math.round(top.ciLow)}..${Math.round(top.ciHigh)}'`, "11", "'5/2/3'", "1", ""]);
    expect(out.stdout).toContain(`base alpaca-13b@1 = 1000; 400 points = 10x the odds of being preferred; ${battles.length} judgements`);
  }, 120_000);

  it("names bad records of a JSON array by record and line, and imports nothing", async () => {
    const { file: empty } = createTestDb();
    const [good, other] = battles;
    const bad = writeTempFile("bad.json", JSON.stringify([good, { ...other, winner: "model_c" }, good]));
    const out = await preflab(empty, ["import", bad, "--project", "arena", "--format", "arena"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('record 2 (line 1): winner: must be one of "model_a", "model_b", "tie", "tie (bothbad)"\nrecord 3 (line 1): duplicate of record 1\n');
    expect(findProjectByName(openDatabase(empty), "arena")).toBeNull();
  }, 120_000);
});
