/**
 * External policies: a model served elsewhere behind an OpenAI-compatible endpoint (vLLM,
 * llama.cpp's server, Ollama, another preflab) registered as a policy of a project, so sample
 * runs, evaluations and battles call it like a built-in version. Registering the same name again
 * makes its next version. The API key is stored apart (policy_api_keys) and never listed.
 */
import { and, desc, eq, max } from "drizzle-orm";
import { z } from "zod";
import { callEndpoint, EndpointError } from "../../core/openai/client";
import { endpointTarget } from "../../core/openai/endpoint-target";
import { inTransaction, type Db } from "../../db/client";
import { policies, policyApiKeys } from "../../db/schema";
import { endpointConfigSchema } from "../../db/types";
import { ServiceError } from "./errors";
import { policyLabel } from "./lineage";
import { getProject } from "./projects";

export const endpointPolicyInput = endpointConfigSchema.extend({
  projectId: z.number().int().positive(),
  name: z.string().trim().min(1, "Name the policy").max(120).regex(/^[^@]*$/, "A policy name cannot contain @ (name@version names one version)"),
  url: z.url({ protocol: /^https?$/, error: "The endpoint's base URL, e.g. http://localhost:8000/v1 (http or https)" }).max(2000),
  /** Sent as `Authorization: Bearer`; null or absent: none (local servers rarely want one). */
  apiKey: z.string().trim().max(4096).nullish(),
});
export type EndpointPolicyInput = z.input<typeof endpointPolicyInput>;

export function registerEndpointPolicy(db: Db, input: EndpointPolicyInput) {
  const parsed = endpointPolicyInput.safeParse(input);
  if (!parsed.success) throw new ServiceError("BAD_REQUEST", z.prettifyError(parsed.error), parsed.error.issues.map((i) => ({ path: i.path as Array<string | number>, message: i.message })));
  const { projectId, name, url, apiKey, ...config } = parsed.data;
  if (!getProject(db, projectId)) throw new ServiceError("NOT_FOUND", `No project with id ${projectId}.`);
  return inTransaction(db, () => {
    const latest = db.select({ version: max(policies.version) }).from(policies).where(eq(policies.name, name)).get()?.version ?? 0;
    const row = db.insert(policies).values({ name, kind: "external", version: latest + 1, endpoint: url, endpointConfig: config, projectId }).returning().get();
    if (apiKey) db.insert(policyApiKeys).values({ policyId: row.id, apiKey }).run();
    return endpointSummary(row, Boolean(apiKey));
  });
}

type PolicyRow = typeof policies.$inferSelect;

function endpointSummary(p: PolicyRow, hasApiKey: boolean) {
  const config = endpointConfigSchema.parse(p.endpointConfig);
  return { id: p.id, label: policyLabel(p), url: p.endpoint!, ...config, hasApiKey, createdAt: p.createdAt };
}

/** The project's external policies, newest first: where each is served and how it is called (no key). */
export function listEndpointPolicies(db: Db, projectId: number) {
  return db.select({ policy: policies, keyOf: policyApiKeys.policyId }).from(policies)
    .leftJoin(policyApiKeys, eq(policyApiKeys.policyId, policies.id))
    .where(and(eq(policies.projectId, projectId), eq(policies.kind, "external")))
    .orderBy(desc(policies.id)).all()
    .map((r) => endpointSummary(r.policy, r.keyOf !== null));
}

/** One short request to the endpoint: its answer and time, or the error a sample run would get. */
export async function checkEndpointPolicy(db: Db, policyId: number) {
  const row = db.select().from(policies).where(eq(policies.id, policyId)).get();
  if (!row || row.kind !== "external") throw new ServiceError("NOT_FOUND", `No external policy with id ${policyId}.`);
  const started = performance.now();
  try {
    const answer = await callEndpoint(endpointTarget(db, row), { prompt: "Hello", maxTokens: 8, temperature: 1, seed: 0 });
    return { ok: true as const, text: answer.text, attempts: answer.attempts, seconds: (performance.now() - started) / 1000, error: null };
  } catch (error) {
    if (!(error instanceof EndpointError)) throw error;
    return { ok: false as const, text: null, attempts: null, seconds: (performance.now() - started) / 1000, error: error.message };
  }
}
