import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { judgements, users } from "../../db/schema";
import { availableRunKinds } from "../../trainer/launcher";
import { addUser } from "../services/tasks-fixtures";
import { PROCEDURE_CASES } from "./procedure-cases.fixtures";
import { mayCall, routerProcedures } from "./router-procedures";
import { cliOnlyFields, configWith, runConfigTextFields } from "./run-config-fields";
import { callTrpc, temporaryServerDb } from "./trpc-http";
import { cookieFor, judgeTaskFor, leaseTaskFor, SECRET, seedWorld } from "./world.fixtures";

vi.mock("../../trainer/launcher", async (importOriginal) => ({ ...(await importOriginal<object>()), ensureWorkerRunning: vi.fn() }));

/**
 * What an annotator may reach: only their own work, and of a task only what judging it needs.
 * (Export, import, training and every researcher procedure refuse annotators: the authorization
 * matrix checks those call by call.)
 */
const { db } = temporaryServerDb();
const world = seedWorld(db);
const { annotator, otherAnnotator, admin } = world.people;
const mutate = (path: string, cookie: string, input: unknown) => callTrpc({ path, type: "mutation" }, input, { cookie });

describe("what every procedure open to annotators answers them", () => {
  // Another annotator's judgements exist, with a rationale and a flag note only they wrote.
  judgeTaskFor(world, otherAnnotator, SECRET.rationale);
  const otherAccount = db.select().from(users).where(eq(users.id, otherAnnotator.id)).get()!;
  const forbiddenText = [SECRET.rationale, SECRET.policyName, otherAccount.username, otherAccount.pseudonym, "scrypt$"];
  // Keys that would tell which policy wrote a completion or which task is gold.
  const forbiddenKeys = /"(policy\w*|basePolicyId|isGold|goldAnswer|annotatorId|passwordHash|tokenHash)"/i;

  for (const procedure of routerProcedures().filter((p) => p.access && mayCall(p.access, "annotator")))
    it(`${procedure.path} shows no other annotator's work, no policy, no gold answer, no secret`, async () => {
      const testCase = PROCEDURE_CASES[procedure.path];
      if (!testCase) throw new Error(`${procedure.path} has no case in server/security/procedure-cases.fixtures.ts`);
      const answer = await callTrpc(procedure, testCase.input(world, annotator), { cookie: cookieFor(db, annotator) });
      for (const text of forbiddenText) expect(answer.text, `${procedure.path} answered with "${text}"`).not.toContain(text);
      expect(answer.text).not.toMatch(forbiddenKeys);
    });
});

describe("annotators act on their own work only", () => {
  let newcomers = 0;
  const newcomer = () => addUser(db, `sec-newcomer-${++newcomers}`);

  it("cannot submit, skip or flag a task another annotator holds, and that lease stays theirs", async () => {
    const taskId = leaseTaskFor(world, otherAnnotator);
    const cookie = cookieFor(db, newcomer());
    const submit = await mutate("labeling.submit", cookie, { taskId, idempotencyKey: "sec-not-mine-1", answer: { kind: "pair", outcome: "left", strength: 1 } });
    const skip = await mutate("labeling.skip", cookie, { taskId, reason: "not mine" });
    const flag = await mutate("labeling.flag", cookie, { taskId, reason: "other" });
    expect([submit.code, skip.code, flag.code]).toEqual(["PRECONDITION_FAILED", "PRECONDITION_FAILED", "PRECONDITION_FAILED"]);
    expect(db.select().from(judgements).where(eq(judgements.taskId, taskId)).all()).toEqual([]);
    const theirs = await mutate("labeling.submit", cookieFor(db, otherAnnotator), { taskId, idempotencyKey: "sec-theirs-1", answer: { kind: "pair", outcome: "left", strength: 1 } });
    expect(theirs.status).toBe(200);
  });

  it("undo takes back the caller's own last judgement, never someone else's", async () => {
    const taskId = judgeTaskFor(world, otherAnnotator, SECRET.rationale);
    const undo = await mutate("labeling.undo", cookieFor(db, newcomer()), { projectId: world.projectId });
    expect(undo.code).toBe("PRECONDITION_FAILED");
    expect(undo.text).not.toContain(SECRET.rationale);
    expect(db.select({ undoneAt: judgements.undoneAt }).from(judgements).where(eq(judgements.taskId, taskId)).get()).toEqual({ undoneAt: null });
  });

  it("cannot replay another annotator's idempotency key to read their answer", async () => {
    const taskId = leaseTaskFor(world, otherAnnotator);
    const key = "sec-shared-key-1";
    await mutate("labeling.submit", cookieFor(db, otherAnnotator), { taskId, idempotencyKey: key, answer: { kind: "pair", outcome: "left", strength: 3 }, rationale: SECRET.rationale });
    const someone = newcomer();
    const mine = leaseTaskFor(world, someone);
    const replay = await mutate("labeling.submit", cookieFor(db, someone), { taskId: mine, idempotencyKey: key, answer: { kind: "pair", outcome: "right", strength: 1 } });
    expect(replay.text).not.toContain(SECRET.rationale);
    expect(replay.text).not.toContain('"replayed":true');
  });
});

describe("run configs never reach a file over the API", () => {
  // Free-text config fields that are not paths, each reviewed; a new text field fails here until it is
  // either listed as CLI-only in trainer/registry.ts or reviewed and added with the reason it is safe.
  const REVIEWED_NOT_PATHS: Record<string, string> = {
    "ppo scoringFunction": "a name looked up in the in-process scoring-function registry",
    "grpo scoringFunction": "a name looked up in the in-process scoring-function registry",
    "rloo scoringFunction": "a name looked up in the in-process scoring-function registry",
    "reward name": "the label listed on the dashboard",
    "pretrain data.texts[]": "the training text itself",
  };

  it("every free-text field is a CLI-only path or reviewed as not a path", () => {
    const unreviewed = runConfigTextFields().filter((entry) => {
      const [kind, field] = entry.split(" ") as [Parameters<typeof cliOnlyFields>[0], string];
      return !cliOnlyFields(kind).includes(field) && !(entry in REVIEWED_NOT_PATHS);
    });
    expect(unreviewed, "a text field in a run config could name a file: add it to the kind's cliOnlyFields, or review it here").toEqual([]);
  });

  const pathFields = availableRunKinds().flatMap((kind) => cliOnlyFields(kind).map((field) => ({ kind, field })));
  it.each(pathFields)("refuses $kind's $field from an admin over HTTP, naming the field, and queues nothing", async ({ kind, field }) => {
    const before = db.$client.prepare("SELECT count(*) FROM training_runs").pluck().get();
    const answer = await mutate("runs.create", cookieFor(db, admin), { kind, projectId: world.projectId, config: configWith(field, "/etc/passwd") });
    expect(answer.status).toBe(400);
    expect(answer.message).toContain(field);
    expect(answer.message).toMatch(/command line/);
    expect(db.$client.prepare("SELECT count(*) FROM training_runs").pluck().get()).toBe(before);
  });
});
