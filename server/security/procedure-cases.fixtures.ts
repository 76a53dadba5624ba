import { eq } from "drizzle-orm";
import { projects } from "../../db/schema";
import type { SessionUser } from "../services/auth";
import { createApiToken } from "../services/api-tokens";
import { ensureProject } from "../services/projects";
import { pendingBattleFor, securityBattleProject, unreachableEndpointPolicy } from "./external-world.fixtures";
import { idempotencyKey, judgeTaskFor, leaseTaskFor, runInState, SIGN_IN, succeededEvaluation, type World } from "./world.fixtures";

/**
 * A valid input for every procedure of the app router: the authorization matrix calls each one
 * as every role with it (so a refusal is about the role, never about the input) and the fuzzer
 * mutates it. A procedure missing here fails both tests: add its case when you add it.
 */
export interface ProcedureCase {
  /** Called right before each call, as `caller` (a stand-in annotator for anonymous calls), so it may
   *  create what the call uses up: a task leased to the caller, a cancelled run to resume. */
  input: (w: World, caller: SessionUser) => unknown;
  /** What an allowed caller gets when it is not a success, and why. Default: success (HTTP 200). */
  allowedOutcome?: { code: string; why: string };
}

let names = 0;
const unique = (prefix: string) => `${prefix}-${++names}`;
const project = (w: World) => ({ projectId: w.projectId });

export const PROCEDURE_CASES: Record<string, ProcedureCase> = {
  "apiTokens.list": { input: () => undefined },
  "apiTokens.create": { input: () => ({ name: unique("sec-token") }) },
  "apiTokens.revoke": { input: (w, caller) => ({ id: createApiToken(w.db, caller.id, unique("sec-token")).id }) },

  "auth.status": { input: () => undefined },
  "auth.setup": {
    input: () => ({ username: unique("sec-setup"), password: "password1" }),
    allowedOutcome: { code: "FORBIDDEN", why: "the instance has accounts; setup on an empty one is tested on its own" },
  },
  "auth.signIn": { input: () => SIGN_IN },
  "auth.signOut": { input: () => undefined },
  "auth.signOutEverywhere": { input: () => undefined },

  "endpoints.list": { input: project },
  "endpoints.register": { input: (w) => ({ projectId: w.projectId, name: unique("sec-registered"), url: "http://127.0.0.1:9/v1", model: "m", apiKey: "sk-sec-never-shown" }) },
  "endpoints.check": { input: (w) => ({ policyId: unreachableEndpointPolicy(w) }) },

  "battles.projects": { input: () => undefined },
  "battles.prompts": { input: (w) => ({ projectId: securityBattleProject(w) }) },
  "battles.vote": { input: (w, caller) => ({ battleId: pendingBattleFor(w, caller), outcome: "left" }) },
  "battles.candidates": { input: (w) => ({ projectId: securityBattleProject(w) }) },

  "evaluations.policies": { input: project },
  "evaluations.list": { input: project },
  "evaluations.get": { input: (w) => ({ runId: w.evaluationRunId }) },
  "evaluations.create": { input: (w) => ({ projectId: w.projectId, config: { policyIds: [w.childPolicyId], prompts: "all" } }) },
  "evaluations.humanPlan": { input: (w) => ({ runId: w.evaluationRunId }) },
  "evaluations.createHumanEvaluation": { input: (w) => ({ runId: succeededEvaluation(w) }) },

  "labeling.next": { input: project },
  "labeling.submit": {
    input: (w, caller) => ({ taskId: leaseTaskFor(w, caller), idempotencyKey: idempotencyKey(), answer: { kind: "pair", outcome: "right", strength: 1 } }),
  },
  "labeling.skip": { input: (w, caller) => ({ taskId: leaseTaskFor(w, caller), reason: "not sure" }) },
  "labeling.flag": { input: (w, caller) => ({ taskId: leaseTaskFor(w, caller), reason: "broken" }) },
  "labeling.undo": { input: (w, caller) => (judgeTaskFor(w, caller), project(w)) },
  "labeling.myProgress": { input: project },

  "leaderboard.get": { input: project },

  "lineage.tree": { input: project },
  "lineage.samplePolicies": { input: project },
  "lineage.samples": { input: (w) => ({ projectId: w.projectId, left: w.childPolicyId, right: w.basePolicyId }) },
  "lineage.playgroundPolicies": { input: project },

  "overview.activity": { input: (w) => ({ projectId: w.projectId, days: 7 }) },
  "overview.agreement": { input: (w) => ({ projectId: w.projectId, days: 7 }) },

  "projects.list": { input: () => undefined },
  "projects.forLabeling": { input: () => undefined },
  "projects.guidelines": { input: project },
  "projects.get": { input: project },
  "projects.byName": { input: (w) => ({ name: w.db.select().from(projects).where(eq(projects.id, w.projectId)).get()!.name }) },
  "projects.create": { input: () => ({ name: unique("sec-project") }) },
  "projects.update": { input: (w) => ({ projectId: w.projectId, guidelines: "Prefer the more helpful answer." }) },
  "projects.imports": { input: project },

  "quality.projectAgreement": { input: project },
  "quality.annotators": { input: project },
  "quality.projectProgress": { input: project },

  "queueOrder.status": { input: project },

  "rewardModels.list": { input: project },
  "rewardModels.score": { input: (w) => ({ rewardModelId: w.rewardModelId, prompt: "p", completion: "a fine answer" }) },

  "rounds.list": { input: project },
  // A project of its own each time: a second start is refused while the first round runs.
  "rounds.start": { input: (w) => ({ projectId: ensureProject(w.db, unique("sec-rounds"), null).id }) },
  "rounds.configure": { input: (w) => ({ projectId: w.projectId, judgementsPerRound: 50 }) },

  "runs.kinds": { input: () => undefined },
  "runs.create": { input: (w) => ({ kind: "reward", projectId: w.projectId, config: { kind: "linear" } }) },
  "runs.list": { input: () => ({}) },
  "runs.get": { input: (w) => ({ runId: runInState(w, "succeeded") }) },
  "runs.compare": { input: (w) => ({ projectId: w.projectId, runIds: [runInState(w, "succeeded"), runInState(w, "succeeded")] }) },
  "runs.cancel": { input: (w) => ({ runId: runInState(w, "queued") }) },
  "runs.resume": { input: (w) => ({ runId: runInState(w, "cancelled") }) },

  "users.list": { input: () => undefined },
  "users.create": { input: () => ({ username: unique("sec-new"), password: "password1", role: "annotator" }) },
  "users.update": { input: (w) => ({ id: w.people.target.id, role: "annotator" }) },
  "users.revokeSessions": { input: (w) => ({ id: w.people.target.id }) },
};
