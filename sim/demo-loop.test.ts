import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

describe("preflab demo loop", () => {
  it("runs a quick round end to end: sample run, simulated annotator over HTTP, reward model, DPO, evaluation", async () => {
    const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflab-demo-test-")), "demo.db");
    const { stdout } = await promisify(execFile)(process.execPath, ["bin/preflab.mjs", "demo", "loop", "--rounds", "1", "--quick", "--db", db, "--json"], { maxBuffer: 1 << 24 });
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
    expect(result.algorithm).toBe("dpo");
    expect(result.rounds).toHaveLength(1);
    const [round] = result.rounds;
    expect(Object.keys(round).sort()).toEqual(["judgements", "klToBase", "meanScore", "policyDir", "policyId", "round", "seconds", "winRate", "winRateInterval"]);
    expect(round.judgements).toBeGreaterThanOrEqual(10); // 16 openings, one pair each unless both draws are identical
    expect(fs.existsSync(path.join(round.policyDir, "config.json"))).toBe(true);
    expect(round.policyId).toBeGreaterThan(1); // the built-in policy is 1
    expect(round.winRate).toBeGreaterThanOrEqual(round.winRateInterval[0]);
    expect(round.winRate).toBeLessThanOrEqual(round.winRateInterval[1]);
    expect(Number.isFinite(round.klToBase) && Number.isFinite(round.meanScore)).toBe(true);
  });
});
