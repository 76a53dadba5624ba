import path from "node:path";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { rewardModels } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { importRows, MARKER, plantedRows, queueRewardRun } from "../../trainer/reward/executor-fixtures";
import { rewardExecutor } from "../../trainer/reward/executor";
import { runOnce } from "../../trainer/worker/worker-loop";
import { createCaller } from "../root";
import { createUser } from "../services/auth";
import { createInnerContext } from "../trpc";

async function setup() {
  const { db, dir } = createTestDb();
  const researcher = createUser(db, { username: "rita", password: "password1", role: "researcher" });
  const annotator = createUser(db, { username: "anna", password: "password1", role: "annotator" });
  const as = (user: typeof researcher) => createCaller(createInnerContext({ db, user }));
  const projectId = await importRows(db, "planted", plantedRows(60));
  queueRewardRun(db, projectId, { kind: "linear", hashBits: 12 });
  await runOnce(db, { runsRoot: path.join(dir, "runs"), executors: { reward: rewardExecutor } });
  return { db, projectId, researcher, annotator, as };
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => "OK", (e) => (e instanceof TRPCError ? `${e.code}: ${e.message}` : String(e)));

describe("rewardModels router", () => {
  it("lists a project's reward models with their held-out metrics", async () => {
    const { as, researcher, projectId } = await setup();
    const [model] = await as(researcher).rewardModels.list({ projectId });
    expect(model).toMatchObject({ kind: "linear", projectId, name: "reward-1" });
    expect(model!.metrics!.accuracy).toBeGreaterThan(0.5);
  });

  it("scores a completion with a linear model, raw and normalised by the stored moments", async () => {
    const { as, researcher, projectId } = await setup();
    const good = await as(researcher).rewardModels.score({ rewardModelId: 1, prompt: "p", completion: `a ${MARKER} film` });
    const plain = await as(researcher).rewardModels.score({ rewardModelId: 1, prompt: "p", completion: "a film" });
    expect(good.score).toBeGreaterThan(plain.score);
    const [row] = await as(researcher).rewardModels.list({ projectId });
    expect(row!.rewardStd).toBeGreaterThan(0);
    expect(good.normalized).toBeCloseTo((good.score - row!.rewardMean!) / row!.rewardStd!, 10);
  });

  it("sends neural models to the CLI, and keeps annotators out", async () => {
    const { db, as, researcher, annotator, projectId } = await setup();
    db.insert(rewardModels).values({ projectId, name: "big", kind: "neural", path: "/nowhere" }).run();
    expect(await codeOf(as(researcher).rewardModels.score({ rewardModelId: 2, prompt: "p", completion: "c" }))).toBe(
      "PRECONDITION_FAILED: Reward model 2 is neural; score it with `npx preflab reward score --reward-model 2 --input FILE.jsonl`.",
    );
    expect(await codeOf(as(researcher).rewardModels.score({ rewardModelId: 9, prompt: "p", completion: "c" }))).toBe("NOT_FOUND: No reward model with id 9.");
    expect(await codeOf(as(annotator).rewardModels.list({ projectId }))).toMatch(/^FORBIDDEN/);
    expect(await codeOf(as(annotator).leaderboard.get({ projectId }))).toMatch(/^FORBIDDEN/);
    expect(await as(researcher).leaderboard.get({ projectId })).toEqual({ base: null, rows: [], judgements: 0, synthetic: [] });
  });
});
