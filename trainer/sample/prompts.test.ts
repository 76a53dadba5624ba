import { describe, expect, it } from "vitest";
import { ensureBuiltinPolicy } from "../../core/policy-versions";
import { createTasks } from "../../core/tasks";
import { completions, policies, projects, prompts } from "../../db/schema";
import { createTestDb } from "../../db/testing";
import { defaultProjectSettings } from "../../db/types";
import { heldOutForPolicies, samplePolicies } from "./prompts";

function project() {
  const { db } = createTestDb();
  const projectId = db.insert(projects).values({ name: "p", settings: defaultProjectSettings() }).returning().get().id;
  return { db, projectId };
}

describe("what a sample run samples", () => {
  it("defaults to the newest policy and its parent, the built-in policy when it has none, and the built-in policy alone in a project without policies", () => {
    const { db, projectId } = project();
    const builtin = ensureBuiltinPolicy(db);
    expect(samplePolicies(db, projectId, []).map((p) => p.id)).toEqual([builtin.id]);
    const cli = db.insert(policies).values({ name: "mine", kind: "checkpoint", path: "/ckpt/mine", projectId }).returning().get();
    expect(samplePolicies(db, projectId, []).map((p) => p.id)).toEqual([cli.id, builtin.id]);
    const child = db.insert(policies).values({ name: "mine", kind: "checkpoint", version: 2, parentId: cli.id, path: "/ckpt/mine-2", projectId }).returning().get();
    expect(samplePolicies(db, projectId, []).map((p) => p.id)).toEqual([child.id, cli.id]);
    expect(samplePolicies(db, projectId, [builtin.id, child.id]).map((p) => p.id)).toEqual([builtin.id, child.id]);
  });

  it("holds out a prompt until one of its tasks shows a completion of one of the policies", () => {
    const { db, projectId } = project();
    const [a, b] = ["a", "b"].map((name) => db.insert(policies).values({ name, kind: "checkpoint", path: `/ckpt/${name}` }).returning().get());
    const [p1, p2, p3] = [1, 2, 3].map((i) => db.insert(prompts).values({ projectId, text: `prompt ${i}` }).returning().get().id);
    const add = (promptId: number, policyId: number | null) => db.insert(completions).values({ promptId, policyId, origin: "policy", text: `${promptId}/${policyId}/${Math.random()}` }).returning().get().id;
    // p1: a task over imported completions only; p2: a completion of `a` but no task of it; p3: a task showing `b`'s completion.
    createTasks(db, projectId, "pair", [{ promptId: p1!, completionIds: [add(p1!, null), add(p1!, null)] }]);
    add(p2!, a!.id);
    createTasks(db, projectId, "pair", [{ promptId: p3!, completionIds: [add(p3!, null), add(p3!, b!.id)] }]);
    expect(heldOutForPolicies(db, projectId, [a!.id, b!.id])).toEqual([p1, p2]);
    expect(heldOutForPolicies(db, projectId, [a!.id])).toEqual([p1, p2, p3]);
  });
});
