import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ExportFormat } from "../../../db/enums";
import { goldProject } from "./gold.fixtures";
import { exportToFile } from "./write-export";

async function exported(fx: ReturnType<typeof goldProject>, format: ExportFormat, includeGold?: boolean) {
  const out = path.join(path.dirname(fx.file), `${format}-${includeGold}.jsonl`);
  await exportToFile(fx.db, format, { projectId: fx.projectId, includeGold }, out);
  return fs.readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { prompt: string; completion?: string; label?: boolean });
}

describe("gold items in exports", () => {
  it("leaves a gold task's judgements out by default", async () => {
    const fx = goldProject();
    expect((await exported(fx, "trl")).map((r) => r.prompt)).toEqual(["regular"]);
    expect(new Set((await exported(fx, "kto")).map((r) => r.prompt))).toEqual(new Set(["regular"]));
  });

  it("includes them when asked: pairs as answered, KTO labels from the known answer", async () => {
    const fx = goldProject();
    expect((await exported(fx, "trl", true)).map((r) => r.prompt)).toEqual(["regular", "gold"]);
    const kto = (await exported(fx, "kto", true)).filter((r) => r.prompt === "gold");
    expect(kto.map((r) => [r.completion, r.label])).toEqual([["answer 0 to gold", true], ["answer 1 to gold", false]]);
  });
});
