import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPairTasks } from "../../core/tasks";
import type { Db } from "../../db/client";
import type { RunStatus } from "../../db/enums";
import { completions, evaluations, policies, prompts, rewardModels, trainingRuns } from "../../db/schema";
import { LinearRewardModel } from "../../trainer/reward/linear";
import { LINEAR_MODEL_FILE } from "../../trainer/reward/scorer-linear";
import { pickNextTask } from "../services/assignment";
import { createSession, createUser, SESSION_COOKIE, type SessionUser } from "../services/auth";
import { submitJudgement } from "../services/judgements";
import { ensureProject } from "../services/projects";
import { addUser, setSettings } from "../services/tasks-fixtures";

/**
 * The world the security tests call procedures in: one account of each role, a project whose
 * completions come from named policies (names annotators must never see), a linear reward model,
 * a succeeded evaluation; and factories for the state a call uses up (a task leased to the
 * caller, a cancelled run to resume), so that every allowed call can succeed.
 */

/** Strings that must never reach someone who may not see them. */
export const SECRET = { policyName: "sec-policy-CONFIDENTIAL", rationale: "sec-rationale-PRIVATE-7f3a" };
export const SIGN_IN = { username: "sec-signin", password: "correct horse battery" };

export interface World {
  db: Db;
  people: { admin: SessionUser; researcher: SessionUser; annotator: SessionUser; otherAnnotator: SessionUser; target: SessionUser };
  projectId: number;
  basePolicyId: number;
  childPolicyId: number;
  rewardModelId: number;
  evaluationRunId: number;
}

export function seedWorld(db: Db): World {
  const people = {
    admin: addUser(db, "sec-admin", "admin"),
    researcher: addUser(db, "sec-researcher", "researcher"),
    annotator: addUser(db, "sec-annotator"),
    otherAnnotator: addUser(db, "sec-other-annotator"),
    target: addUser(db, "sec-target"),
  };
  createUser(db, { ...SIGN_IN, role: "annotator" }); // the one account with a password: scrypt once
  const project = ensureProject(db, "security", people.researcher.id);
  setSettings(db, project.id, { goldRate: 0, maxActiveLeases: 100, undoWindowSeconds: 3600 });
  const policy = (version: number, parentId: number | null) =>
    db.insert(policies).values({ name: SECRET.policyName, kind: "checkpoint", version, parentId, projectId: project.id, path: path.join(os.tmpdir(), "sec-no-checkpoint") }).returning().get().id;
  const basePolicyId = policy(1, null);
  const childPolicyId = policy(2, basePolicyId);
  const world: World = { db, people, projectId: project.id, basePolicyId, childPolicyId, rewardModelId: 0, evaluationRunId: 0 };
  for (let i = 0; i < 3; i++) addPairTask(world);
  world.rewardModelId = addLinearRewardModel(world);
  world.evaluationRunId = succeededEvaluation(world);
  return world;
}

let promptCounter = 0;

/** A new prompt with one completion from each policy and a pair task over them; returns the task id. */
export function addPairTask(w: World): number {
  const text = `security prompt ${++promptCounter}`;
  const promptId = w.db.insert(prompts).values({ projectId: w.projectId, text }).returning().get().id;
  const ids = [w.basePolicyId, w.childPolicyId].map(
    (policyId, i) => w.db.insert(completions).values({ promptId, policyId, origin: "policy", text: `answer ${i} to ${text}` }).returning().get().id,
  );
  return createPairTasks(w.db, w.projectId, [{ promptId, completionIds: ids }]).created[0]!;
}

/** A task the user holds a fresh lease on. */
export function leaseTaskFor(w: World, user: SessionUser): number {
  addPairTask(w);
  const next = pickNextTask(w.db, user.id, w.projectId, { another: true });
  if (!next.task) throw new Error("fixture: no task to lease");
  return next.task.taskId;
}

let keys = 0;
export const idempotencyKey = () => `sec-key-${++keys}-${Date.now()}`;

/** A judgement the user just submitted, inside the undo window. */
export function judgeTaskFor(w: World, user: SessionUser, rationale = "my own reasons"): number {
  const taskId = leaseTaskFor(w, user);
  submitJudgement(w.db, user.id, { taskId, idempotencyKey: idempotencyKey(), answer: { kind: "pair", outcome: "left", strength: 2 }, rationale });
  return taskId;
}

export function runInState(w: World, status: RunStatus): number {
  return w.db.insert(trainingRuns).values({ kind: "reward", projectId: w.projectId, config: { kind: "linear" }, status }).returning().get().id;
}

/** A finished `evaluate` run comparing the child policy with the base, not yet sent to humans. */
export function succeededEvaluation(w: World): number {
  const config = { policyIds: [w.childPolicyId], baseId: w.basePolicyId, prompts: "all", maxPrompts: 32, samplesPerPrompt: 1, maxNewTokens: 8, temperature: 1, seed: 1, rewardModelId: null };
  const runId = w.db.insert(trainingRuns).values({ kind: "evaluate", projectId: w.projectId, config, status: "succeeded" }).returning().get().id;
  const promptIds = w.db.select({ id: prompts.id }).from(prompts).all().map((p) => p.id).slice(0, 2);
  w.db.insert(evaluations).values({ projectId: w.projectId, runId, basePolicyId: w.basePolicyId, policyId: w.childPolicyId, promptIds, metrics: {}, samples: [] }).run();
  return runId;
}

function addLinearRewardModel(w: World): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-sec-rm-"));
  const model = LinearRewardModel.train([{ prompt: "p", chosen: "a fine answer", rejected: "a poor answer" }]);
  fs.writeFileSync(path.join(dir, LINEAR_MODEL_FILE), JSON.stringify(model.toJSON()));
  return w.db.insert(rewardModels).values({ projectId: w.projectId, name: "sec-rm", kind: "linear", path: dir }).returning().get().id;
}

/** A new session of `user`, as the Cookie header a browser would send. */
export function cookieFor(db: Db, user: SessionUser): string {
  return `${SESSION_COOKIE}=${createSession(db, user.id).token}`;
}
