import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { goldProject } from "../../server/services/export/gold.fixtures";

/** Runs the real CLI entry on a database file. */
function preflab(dbFile: string, ...args: string[]) {
  const out = spawnSync(process.execPath, ["bin/preflab.mjs", ...args], { env: { ...process.env, PREFLAB_DB: dbFile }, encoding: "utf8", timeout: 60_000 });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}
const prompts = (stdout: string) => stdout.trim().split("\n").map((l) => (JSON.parse(l) as { prompt: string }).prompt);

describe("preflab export", () => {
  it("leaves gold tasks out unless --include-gold", () => {
    const { file } = goldProject();
    const plain = preflab(file, "export", "--project", "labeling-test", "--format", "trl");
    expect(plain.code).toBe(0);
    expect(prompts(plain.stdout)).toEqual(["regular"]);
    const withGold = preflab(file, "export", "--project", "labeling-test", "--format", "trl", "--include-gold");
    expect(prompts(withGold.stdout)).toEqual(["regular", "gold"]);
  }, 60_000);
});
