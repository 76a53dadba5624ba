import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { tasks } from "../../db/schema";
import { createTestDb, writeTempFile } from "../../db/testing";
import { importRows } from "../../trainer/reward/executor-fixtures";
import { preflab } from "./cli.fixtures";

describe("preflab train <kind> for the registry's other kinds", () => {
  it("train sample queues the run, executes it here and prints runId, kind, metrics and messages; the tasks are in the queue", async () => {
    const { db, file } = createTestDb();
    const projectId = await importRows(db, "openings", ["The film", "This movie", "A cast"].map((prompt) => ({ prompt })), "prompts");
    const config = writeTempFile("sample.json", JSON.stringify({ prompts: "all", samplesPerPolicy: 2, maxPrompts: 3, maxNewTokens: 4 }));
    const out = await preflab(file, ["train", "sample", "--project", "openings", "--config", config, "--json"], 300_000);
    expect(out.code, out.stderr).toBe(0);
    const summary = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
    expect(summary).toMatchObject({ runId: 1, kind: "sample", metrics: { tasks_created: 3 } });
    expect(summary.messages.join("\n")).toMatch(/3 prompts × .* × 2 samples → pair tasks/);
    expect(db.select().from(tasks).where(eq(tasks.projectId, projectId)).all().filter((t) => t.kind === "pair")).toHaveLength(3);
  }, 300_000);

  it("lists the kind's config fields and refuses an invalid config before queueing", async () => {
    const { db, file } = createTestDb();
    await importRows(db, "openings", [{ prompt: "The film" }], "prompts");
    expect((await preflab(file, ["train", "evaluate", "--help"])).stdout).toMatch(/Config fields/);
    const bad = writeTempFile("bad.json", JSON.stringify({ samplesPerPolicy: 0 }));
    const refused = await preflab(file, ["train", "sample", "--project", "openings", "--config", bad]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/samplesPerPolicy/);
    expect(db.$client.prepare("select count(*) as n from training_runs").get()).toEqual({ n: 0 });
  }, 300_000);
});
