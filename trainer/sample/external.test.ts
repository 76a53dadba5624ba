import os from "node:os";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpErrorPeer, malformedJsonPeer, silentPeer, flakyPeer, type Peer } from "../../core/openai/peers.fixtures";
import { createPairTasks } from "../../core/tasks";
import type { Db } from "../../db/client";
import { completions, evaluations, projects, prompts, tasks, trainingRuns } from "../../db/schema";
import { defaultProjectSettings } from "../../db/types";
import { createUser } from "../../server/services/auth";
import { registerEndpointPolicy } from "../../server/services/external-policies";
import { startServedPreflab } from "../../server/services/openai/served.fixtures";
import { TrpcHttpClient } from "../../sim/api-client";
import { openOnnxCheckpoint } from "../onnx/checkpoint";
import { evaluateConfigSchema } from "../evaluate/config";
import { evaluateExecutor } from "../evaluate/executor";
import { runOnce } from "../worker/worker-loop";
import { sampleConfigSchema } from "./config";
import { continuePrompt, sampleExecutor, sampleSeed } from "./executor";

/**
 * External policies in `sample` runs: preflab's own OpenAI-compatible endpoint (the real route
 * handlers over real HTTP) registered as an external policy is sampled like the built-in policy
 * it serves; endpoints that never answer, answer malformed JSON or HTTP errors (real node:http
 * peers) fail the run with an error naming the policy and the cause, leave only whole prompts
 * behind, and never hold up the annotators' queue.
 */
let served: Awaited<ReturnType<typeof startServedPreflab>>;
const peers: Peer[] = [];
beforeAll(async () => {
  served = await startServedPreflab();
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await served?.server.close();
});
const peer = async (start: Promise<Peer>) => {
  const p = await start;
  peers.push(p);
  return p;
};

let projectsMade = 0;
function project(db: Db, texts: string[]) {
  const projectId = db.insert(projects).values({ name: `external-${++projectsMade}`, settings: { ...defaultProjectSettings(), judgementsPerTask: 1, goldRate: 0 } }).returning().get().id;
  const promptIds = texts.map((text) => db.insert(prompts).values({ projectId, text }).returning().get().id);
  return { projectId, promptIds };
}

function external(db: Db, projectId: number, name: string, url: string, config: Record<string, unknown> = {}) {
  return registerEndpointPolicy(db, { projectId, name, url, model: "builtin@1", apiKey: served.token, ...config });
}

async function runKind(db: Db, projectId: number, kind: "sample" | "evaluate", config: Record<string, unknown>) {
  const run = db.insert(trainingRuns).values({ kind, projectId, config }).returning().get();
  await runOnce(db, { runsRoot: os.tmpdir(), executors: { sample: sampleExecutor, evaluate: evaluateExecutor } });
  return db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()!;
}
const runSample = (db: Db, projectId: number, config: Record<string, unknown>) => runKind(db, projectId, "sample", sampleConfigSchema.parse(config));

const tasksOf = (db: Db, projectId: number) => db.select().from(tasks).where(eq(tasks.projectId, projectId)).orderBy(asc(tasks.id)).all();
const completionsOf = (db: Db, promptIds: number[]) => db.select().from(completions).all().filter((c) => promptIds.includes(c.promptId));

describe("a sample run through preflab's own OpenAI-compatible endpoint", () => {
  it("samples the external policy like the built-in one it serves: the same draws for the same seeds, into pair tasks", async () => {
    const { db } = served;
    const { projectId, promptIds } = project(db, ["The film was", "I expected more from", "A quiet, patient"]);
    const ext = external(db, projectId, "own-endpoint", served.v1, { concurrency: 2 });
    const run = await runSample(db, projectId, { policyIds: [ext.id, served.builtin.id], prompts: "all", maxNewTokens: 8, seed: 11 });
    expect(run, run.error ?? "").toMatchObject({ status: "succeeded" });
    const made = tasksOf(db, projectId);
    expect(made.map((t) => t.promptId)).toEqual(promptIds);
    const byId = new Map(completionsOf(db, promptIds).map((c) => [c.id, c]));
    const model = await openOnnxCheckpoint(served.builtin.path!, { intraOpNumThreads: 1 });
    try {
      for (const task of made) {
        const [theirs, ours] = task.completionIds.map((id) => byId.get(id)!);
        expect([theirs!.policyId, ours!.policyId]).toEqual([ext.id, served.builtin.id]);
        const params = { temperature: 1, maxNewTokens: 8, seed: sampleSeed(11, task.promptId, ext.id, 0) };
        expect(theirs!.samplingParams).toEqual(params);
        const prompt = db.select().from(prompts).where(eq(prompts.id, task.promptId)).get()!;
        expect(theirs!.text).toBe((await continuePrompt(model, prompt.text, [params]))[0]!.text);
      }
    } finally {
      await model.lm.release();
    }
  });
});

describe("an endpoint that misbehaves fails the run with a clear error on that policy", () => {
  const cases = [
    { name: "slow", start: silentPeer, config: { timeoutSeconds: 1, retries: 0 }, error: /^policy slow@1 \(id \d+\): timed out after 1 s; 0 tasks from 0 of 2 prompts were created/ },
    { name: "garbled", start: malformedJsonPeer, config: {}, error: /^policy garbled@1 \(id \d+\): malformed JSON in the answer \(.+\): "\{\\"choices\\"/ },
    { name: "broken", start: () => httpErrorPeer(500, "CUDA out of memory"), config: { retries: 1 }, error: /^policy broken@1 \(id \d+\): HTTP 500 Internal Server Error: "CUDA out of memory" \(2 attempts\)/ },
  ];
  for (const c of cases)
    it(`${c.name}: ${c.error.source.slice(0, 60)}…`, async () => {
      const { db } = served;
      const { projectId, promptIds } = project(db, ["The film was", "I expected more from"]);
      const p = await peer(c.start());
      const ext = external(db, projectId, c.name, p.url, c.config);
      const run = await runSample(db, projectId, { policyIds: [ext.id, served.builtin.id], prompts: "all", maxNewTokens: 4 });
      expect(run.status).toBe("failed");
      expect(run.error).toMatch(c.error);
      expect(tasksOf(db, projectId)).toEqual([]);
      expect(completionsOf(db, promptIds)).toEqual([]);
    });

  it("keeps the prompts written before the endpoint broke whole, and says how many", async () => {
    const { db } = served;
    const { projectId, promptIds } = project(db, ["one", "two", "three", "four"]);
    const p = await peer(flakyPeer((n) => n > 2, 502));
    const ext = external(db, projectId, "flaky", p.url, { concurrency: 1, retries: 0, model: "any" });
    const run = await runSample(db, projectId, { policyIds: [ext.id, served.builtin.id], prompts: "all", maxNewTokens: 4 });
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/^policy flaky@1 \(id \d+\): HTTP 502 Bad Gateway: "overloaded \(request 3\)"; 2 tasks from 2 of 4 prompts were created before it stopped/);
    const made = tasksOf(db, projectId);
    expect(made.map((t) => t.promptId)).toEqual(promptIds.slice(0, 2));
    // Every completion written belongs to a written task: no half prompt.
    expect(completionsOf(db, promptIds).map((c) => c.id).sort()).toEqual(made.flatMap((t) => t.completionIds).sort());
    expect(completionsOf(db, promptIds).filter((c) => c.policyId === ext.id).map((c) => c.text)).toEqual(["answer 1", "answer 2"]);
  });
});

describe("the labeling queue while an endpoint hangs", () => {
  it("serves and takes annotators' judgements while a sample run waits on an endpoint that never answers", async () => {
    const { db } = served;
    const { projectId, promptIds } = project(db, ["waiting", "labeled"]);
    const builtin = served.builtin.id;
    const ids = [0, 1].map((i) => db.insert(completions).values({ promptId: promptIds[1]!, policyId: builtin, origin: "policy", text: `answer ${i}` }).returning().get().id);
    const [taskId] = createPairTasks(db, projectId, [{ promptId: promptIds[1]!, completionIds: ids }]).created;
    createUser(db, { username: "queue-annotator", password: "queue-password", role: "annotator" });
    const annotator = new TrpcHttpClient(served.server.url);
    await annotator.signIn("queue-annotator", "queue-password");

    const p = await peer(silentPeer());
    const ext = external(db, projectId, "hanging", p.url, { timeoutSeconds: 20, retries: 0 });
    const running = runSample(db, projectId, { policyIds: [ext.id, builtin], prompts: [promptIds[0]!], maxNewTokens: 4 });
    await expect.poll(() => p.requests.length, { timeout: 30_000 }).toBe(1); // the run now waits on the endpoint

    const next = await annotator.mutation<{ task: { taskId: number } | null }>("labeling.next", { projectId });
    expect(next.task?.taskId).toBe(taskId);
    const submitted = await annotator.mutation<{ taskComplete: boolean }>("labeling.submit", { taskId, idempotencyKey: "queue-judgement-1", answer: { kind: "pair", outcome: "left", strength: 2 } });
    expect(submitted.taskComplete).toBe(true);
    expect(db.select({ status: trainingRuns.status }).from(trainingRuns).where(eq(trainingRuns.projectId, projectId)).get()?.status).toBe("running");

    const run = await running;
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/^policy hanging@1 \(id \d+\): timed out after 20 s/);
  });
});

describe("an evaluate run with an external policy", () => {
  it("compares it with the built-in policy on the same prompts (no KL: an endpoint gives no log-probs)", async () => {
    const { db } = served;
    const { projectId } = project(db, ["The film was", "I expected more from"]);
    const ext = external(db, projectId, "evaluated", served.v1);
    const run = await runKind(db, projectId, "evaluate", evaluateConfigSchema.parse({ policyIds: [ext.id], prompts: "all", maxNewTokens: 6 }));
    expect(run, run.error ?? "").toMatchObject({ status: "succeeded" });
    const [row] = db.select().from(evaluations).where(eq(evaluations.runId, run.id)).all();
    expect(row).toMatchObject({ policyId: ext.id, basePolicyId: served.builtin.id, metrics: { prompts: 2, klToBase: null } });
    expect(row!.samples).toHaveLength(2);
    expect(row!.samples.every((s) => typeof s.policy === "string" && typeof s.base === "string")).toBe(true);
  });

  it("fails naming the policy when its endpoint does not answer", async () => {
    const { db } = served;
    const { projectId } = project(db, ["The film was"]);
    const p = await peer(httpErrorPeer(503, "warming up"));
    const ext = external(db, projectId, "cold", p.url, { retries: 0 });
    const run = await runKind(db, projectId, "evaluate", evaluateConfigSchema.parse({ policyIds: [ext.id], prompts: "all", maxNewTokens: 6 }));
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/^policy cold@1 \(id \d+\): HTTP 503 Service Unavailable: "warming up"/);
  });
});
