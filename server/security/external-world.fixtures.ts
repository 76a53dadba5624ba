/**
 * What the security tests need for external policies, API tokens, the OpenAI-compatible endpoint
 * and live battles: an external policy whose endpoint refuses connections at once (port 9,
 * discard, has no listener here), the built-in policy as the model /v1 serves, a battle project
 * and a battle turn awaiting its vote.
 */
import { ensureBuiltinPolicy } from "../../core/policy-versions";
import { battles } from "../../db/schema";
import { battleProject, builtinCopy } from "../services/battles/battles.fixtures";
import { getProject } from "../services/projects";
import { createApiToken } from "../services/api-tokens";
import type { SessionUser } from "../services/auth";
import { modelId } from "../services/openai/served-models";
import { registerEndpointPolicy } from "../services/external-policies";
import type { World } from "./world.fixtures";

let endpoints = 0;

export function unreachableEndpointPolicy(w: World): number {
  return registerEndpointPolicy(w.db, { projectId: w.projectId, name: `sec-endpoint-${++endpoints}`, url: "http://127.0.0.1:9/v1", model: "m", apiKey: "sk-sec-never-shown", timeoutSeconds: 1, retries: 0 }).id;
}

/** A model id /v1 can answer with (the built-in policy ships with the repository). */
export const servedModel = (w: World) => modelId(ensureBuiltinPolicy(w.db));

/** The Authorization header of a new API token of `user` (none when signed out). */
export const bearerOf = (w: World, user: SessionUser | null): Record<string, string> =>
  user ? { authorization: `Bearer ${createApiToken(w.db, user.id, "sec-matrix").token}` } : {};

const battleProjects = new WeakMap<World, number>();

/** A battle project of the world (made once): two copies of the built-in policy, named apart from the secret ones. */
export function securityBattleProject(w: World): number {
  const known = battleProjects.get(w);
  if (known) return known;
  const { projectId } = battleProject(w.db, "sec-battles", (p) => [builtinCopy(w.db, p, "sec-battle-a"), builtinCopy(w.db, p, "sec-battle-b")], { maxNewTokens: 2 });
  battleProjects.set(w, projectId);
  return projectId;
}

/** A battle turn of `user` awaiting its vote (as a finished stream leaves it). */
export function pendingBattleFor(w: World, user: SessionUser): number {
  const projectId = securityBattleProject(w);
  const [a, b] = getProject(w.db, projectId)!.settings.battle.policyIds;
  return w.db.insert(battles).values({ projectId, annotatorId: user.id, messages: [{ role: "user", content: "Hi" }], leftPolicyId: a!, rightPolicyId: b!, leftText: "one", rightText: "two" }).returning().get().id;
}
