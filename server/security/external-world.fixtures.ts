/**
 * What the security tests need for external policies, API tokens and the OpenAI-compatible
 * endpoint: an external policy whose endpoint refuses connections at once (port 9, discard, has
 * no listener here), and the built-in policy as the model /v1 serves.
 */
import { ensureBuiltinPolicy } from "../../core/policy-versions";
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
