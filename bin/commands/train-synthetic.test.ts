import { describe, expect, it } from "vitest";
import { iteratePreferenceRows } from "../../db/preference-rows";
import { writeTempFile } from "../../db/testing";
import { RUN_KIND_REGISTRY } from "../../trainer/registry";
import { coldStartProject, openings } from "../../trainer/synthetic/synthetic.fixtures";
import { preflab } from "./cli.fixtures";
import { configFieldsHelp } from "./train";

const rows = (stdout: string) => stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { provenance: { source: string; generating_run?: unknown } });

describe("preflab train drex|trex and export --include-synthetic", () => {
  it("lists every config field with its default under --help (the help text train <kind> prints)", async () => {
    const drex = configFieldsHelp(RUN_KIND_REGISTRY.drex!);
    for (const field of ["noiseLevels", "samplesPerLevel", "pairing", "policyId", "prompts", "temperature", "maxNewTokens", "seed"]) expect(drex).toMatch(new RegExp(`^  ${field} +\\S`, "m"));
    expect(drex).toContain("least noise first");
    expect(drex).toContain("(default [0,0.25,0.5,0.75,1])");
    const trex = configFieldsHelp(RUN_KIND_REGISTRY.trex!);
    for (const field of ["policyIds", "file", "pairing", "maxPrompts"]) expect(trex).toMatch(new RegExp(`^  ${field} +\\S`, "m"));
  });

  it("runs a drex run from the terminal, whose synthetic judgements only --include-synthetic exports", async () => {
    const { db, file, projectId } = coldStartProject(openings(2));
    const config = writeTempFile("drex.json", JSON.stringify({ prompts: "all", noiseLevels: [0, 1], maxNewTokens: 6 }));
    const run = await preflab(file, ["train", "drex", "--project", "labeling-test", "--config", config, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split("\n").at(-1)!)).toMatchObject({ runId: 1, kind: "drex", metrics: { synthetic_judgements: 2 } });
    expect([...iteratePreferenceRows(db, { projectId })]).toEqual([]); // what export writes without the flag
    const synthetic = await preflab(file, ["export", "--project", "labeling-test", "--format", "trl", "--include-synthetic"]);
    expect(rows(synthetic.stdout).map((r) => [r.provenance.source, r.provenance.generating_run])).toEqual(Array(2).fill(["synthetic", { id: 1, kind: "drex" }]));
  }, 120_000);
});
