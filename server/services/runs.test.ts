import { describe, expect, it } from "vitest";
import { ensureBuiltinPolicy } from "../../core/policy-versions";
import { policies } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { createCaller } from "../root";
import { createUser } from "./auth";
import { ServiceError } from "./errors";
import { ensureProject } from "./projects";
import { queueRun } from "./runs";
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
