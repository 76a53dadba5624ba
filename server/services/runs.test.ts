import os from "node:os";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ensureBuiltinPolicy } from "../../core/policy-versions";
import { policies, runEvents, trainingRuns } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import type { Executor } from "../../trainer/worker/run-context";
import { runOnce } from "../../trainer/worker/worker-loop";
import { createCaller } from "../root";
import { createUser } from "./auth";
import { ServiceError } from "./errors";
import { ensureProject } from "./projects";
import { compareRuns } from "./run-compare";
import { cancelRun, queueRun, requireRun, resumeRun } from "./runs";
import { createInnerContext } from "../trpc";

function setup() {
  const { db } = createTestDb();
  const project = ensureProject(db, "p", null);
  return { db, project };
}

const refusal = (fn: () => unknown) => {
  try {
    fn();
    return "accepted";
  } catch (error) {
    return error instanceof ServiceError ? `${error.code}: ${error.message}` : String(error);
  }
};

describe("queueing runs", () => {
  it("a policy run starts from the project's newest policy, else the built-in one, fixed in the run row", () => {
    const { db, project } = setup();
    const first = queueRun(db, { kind: "dpo", projectId: project.id, config: {}, createdBy: null });
    const builtin = ensureBuiltinPolicy(db);
    expect(first).toMatchObject({ basePolicyId: builtin.id, config: expect.objectContaining({ policyId: builtin.id, beta: 0.1, lossType: "sigmoid" }) });
    const trained = db.insert(policies).values({ name: "builtin", kind: "checkpoint", version: 2, parentId: builtin.id, path: "runs/1/final", projectId: project.id }).returning().get();
    expect(queueRun(db, { kind: "kto", projectId: project.id, config: {}, createdBy: null }).basePolicyId).toBe(trained.id);
    expect(queueRun(db, { kind: "sft", projectId: project.id, config: { policyId: builtin.id }, createdBy: null }).basePolicyId).toBe(builtin.id);
  });

  it("refuses over the API any config field that names a file on the server, and bad values, naming the field", () => {
    const { db, project } = setup();
    expect(refusal(() => queueRun(db, { kind: "pretrain", projectId: null, config: { data: { file: "/etc/passwd" } }, createdBy: null })))
      .toBe("BAD_REQUEST: Invalid pretrain config: data.file names a file on the server and is accepted only from the command line; refer to data and models by id.");
    expect(refusal(() => queueRun(db, { kind: "reward", projectId: project.id, config: { base: "/root" }, createdBy: null }))).toMatch(/base names a file on the server/);
    expect(refusal(() => queueRun(db, { kind: "pretrain", projectId: null, config: { data: { file: "corpus.txt" } }, createdBy: null, origin: "cli" }))).toBe("accepted");
    expect(refusal(() => queueRun(db, { kind: "dpo", projectId: project.id, config: { beta: 0 }, createdBy: null }))).toMatch(/^BAD_REQUEST: Invalid dpo config: .*beta/s);
    expect(refusal(() => queueRun(db, { kind: "dpo", projectId: null, config: {}, createdBy: null }))).toBe("BAD_REQUEST: A dpo run trains on a project's judgements: name the project.");
    expect(refusal(() => queueRun(db, { kind: "dpo", projectId: project.id, config: { policyId: 999 }, createdBy: null }))).toBe("BAD_REQUEST: no policy with id 999");
  });

  it("the kinds procedure gives each kind its description, defaults and a JSON Schema with a description per field", async () => {
    const { db } = setup();
    const researcher = createUser(db, { username: "rita", password: "password1", role: "researcher" });
    const kinds = await createCaller(createInnerContext({ db, user: researcher })).runs.kinds();
    const dpo = kinds.find((k) => k.kind === "dpo")!;
    expect(dpo.description).toMatch(/Direct Preference Optimization/);
    expect(dpo.defaults).toMatchObject({ beta: 0.1, lossType: "sigmoid", policyId: null });
    const fields = (dpo.jsonSchema as { properties: Record<string, { description?: string }> }).properties;
    for (const [name, field] of Object.entries(fields)) expect(field.description, name).toBeTruthy();
    expect(kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(["dpo", "ipo", "simpo", "orpo", "kto", "sft", "reward", "pretrain"]));
  });
});

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ServiceError) return error.issues;
  }
  return "no ServiceError";
};

describe("config issues name their field", () => {
  it("each bad value comes back with its path inside the config and zod's message, server-only rules too", () => {
    const { db, project } = setup();
    expect(issuesOf(() => queueRun(db, { kind: "dpo", projectId: project.id, config: { beta: 0, evaluation: { prompts: -1 } }, createdBy: null }))).toEqual([
      { path: ["evaluation", "prompts"], message: "Too small: expected number to be >=0" },
      { path: ["beta"], message: "Too small: expected number to be >0" },
    ]);
    // A refinement the JSON Schema cannot carry (policy ids distinct) still lands on its field.
    expect(issuesOf(() => queueRun(db, { kind: "sample", projectId: project.id, config: { policyIds: [1, 1] }, createdBy: null }))).toEqual([
      { path: ["policyIds"], message: "a policy appears twice in policyIds" },
    ]);
    expect(issuesOf(() => queueRun(db, { kind: "pretrain", projectId: null, config: { data: { file: "/etc/passwd" } }, createdBy: null }))).toEqual([
      { path: ["data", "file"], message: "data.file names a file on the server and is accepted only from the command line; refer to data and models by id." },
    ]);
  });
});

const runsRoot = os.tmpdir();
const eventsOf = (db: ReturnType<typeof setup>["db"], runId: number) =>
  db.select().from(runEvents).where(eq(runEvents.runId, runId)).orderBy(asc(runEvents.id)).all().map((e) => [e.step, e.loss ?? e.message]);

describe("cancel and resume", () => {
  it("a queued run is cancelled at once, a running one is asked to stop, a finished one is refused", () => {
    const { db, project } = setup();
    const queued = queueRun(db, { kind: "reward", projectId: project.id, config: {}, createdBy: null });
    expect(cancelRun(db, queued.id)).toMatchObject({ status: "cancelled" });
    const running = queueRun(db, { kind: "reward", projectId: project.id, config: {}, createdBy: null });
    db.update(trainingRuns).set({ status: "running" }).where(eq(trainingRuns.id, running.id)).run();
    expect(cancelRun(db, running.id)).toMatchObject({ status: "running", cancelRequested: true });
    expect(refusal(() => cancelRun(db, queued.id))).toBe(`CONFLICT: Run ${queued.id} has already cancelled.`);
    expect(refusal(() => resumeRun(db, running.id))).toBe(`CONFLICT: Only failed or cancelled runs can be resumed; run ${running.id} is running.`);
  });

  it("a failed run resumes from its last checkpoint: step reset to it, later progress redone once, the executor told where", async () => {
    const { db, project } = setup();
    const run = queueRun(db, { kind: "reward", projectId: project.id, config: {}, createdBy: null });
    const failing: Executor = async (ctx) => {
      for (let step = 1; step <= 3; step++) ctx.progress({ step, loss: 10 - step });
      ctx.checkpoint(`${ctx.runDir}/step-3`, 3);
      for (let step = 4; step <= 5; step++) ctx.progress({ step, loss: 10 - step });
      throw new Error("out of memory at step 5");
    };
    await runOnce(db, { runsRoot, executors: { reward: failing } });
    expect(requireRun(db, run.id)).toMatchObject({ status: "failed", step: 5, error: "out of memory at step 5" });

    expect(resumeRun(db, run.id)).toMatchObject({ status: "queued", step: 3, error: null, finishedAt: null });
    let resumedFrom: unknown = "not called";
    const finishing: Executor = async (ctx) => {
      resumedFrom = ctx.resumeFrom;
      for (let step = 4; step <= 6; step++) ctx.progress({ step, loss: 10 - step });
    };
    await runOnce(db, { runsRoot, executors: { reward: finishing } });
    expect(resumedFrom).toEqual({ dir: `${runsRoot}/${run.id}/step-3`, step: 3 });
    expect(requireRun(db, run.id)).toMatchObject({ status: "succeeded", step: 6, attempts: 2 });
    expect(eventsOf(db, run.id)).toEqual([[1, 9], [2, 8], [3, 7], [3, "Resumed: continuing from its checkpoint at step 3."], [4, 6], [5, 5], [6, 4]]);
  });

  it("a cancelled run without a checkpoint starts again from step 0", () => {
    const { db, project } = setup();
    const run = queueRun(db, { kind: "reward", projectId: project.id, config: {}, createdBy: null });
    db.update(trainingRuns).set({ status: "cancelled", step: 4 }).where(eq(trainingRuns.id, run.id)).run();
    expect(resumeRun(db, run.id)).toMatchObject({ status: "queued", step: 0 });
    expect(eventsOf(db, run.id)).toEqual([[0, "Resumed: it had no checkpoint, so it starts again from the beginning."]]);
  });
});

describe("comparing runs", () => {
  it("gives each run's metric rows in order, leaves log lines out, and refuses runs of another project or fewer than two", () => {
    const { db, project } = setup();
    const other = ensureProject(db, "other", null);
    const [a, b] = [1, 2].map(() => queueRun(db, { kind: "reward", projectId: project.id, config: {}, createdBy: null }));
    const foreign = queueRun(db, { kind: "reward", projectId: other.id, config: {}, createdBy: null });
    db.insert(runEvents).values([
      { runId: a!.id, step: 0, message: "loading" },
      { runId: a!.id, step: 1, loss: 0.7, metrics: { "rewards/accuracies": 0.5 } },
      { runId: b!.id, step: 1, loss: 0.69 },
      { runId: a!.id, step: 2, loss: 0.6 },
    ]).run();
    const compared = compareRuns(db, project.id, [b!.id, a!.id]);
    expect(compared.map((r) => [r.id, r.events])).toEqual([
      [b!.id, [{ step: 1, loss: 0.69, metrics: null }]],
      [a!.id, [{ step: 1, loss: 0.7, metrics: { "rewards/accuracies": 0.5 } }, { step: 2, loss: 0.6, metrics: null }]],
    ]);
    expect(refusal(() => compareRuns(db, project.id, [a!.id, foreign.id]))).toBe(`NOT_FOUND: Run ${foreign.id} is not a run of this project.`);
    expect(refusal(() => compareRuns(db, project.id, [a!.id, a!.id]))).toBe("BAD_REQUEST: Pick 2 to 8 runs to compare.");
  });
});
