import { preflab } from "./cli.fixtures";
import { describe, expect, it } from "vitest";
import { goldProject } from "../../server/services/export/gold.fixtures";

/** Runs the real CLI entry on a database file. */
const prompts = (stdout: string) => stdout.trim().split("\n").map((l) => (JSON.parse(l) as { prompt: string }).prompt);

describe("preflab export", () => {
  it("leaves gold tasks out unless --include-gold", async () => {
    const { file } = goldProject();
    const plain = await preflab(file, ["export", "--project", "labeling-test", "--format", "trl"], 60_000);
    expect(plain.code).toBe(0);
    expect(prompts(plain.stdout)).toEqual(["regular"]);
    const withGold = await preflab(file, ["export", "--project", "labeling-test", "--format", "trl", "--include-gold"], 60_000);
    expect(prompts(withGold.stdout)).toEqual(["regular", "gold"]);
  }, 60_000);
});
