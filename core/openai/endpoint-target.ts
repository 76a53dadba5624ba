/** An external policy's endpoint as the client calls it: base URL, config, and its API key (read here only). */
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { policies, policyApiKeys } from "../../db/schema";
import { endpointConfigSchema } from "../../db/types";
import type { EndpointTarget } from "./client";

type PolicyRow = typeof policies.$inferSelect;

/** "name@version (id N)": how errors and logs name a policy. */
export const policyWithId = (p: Pick<PolicyRow, "id" | "name" | "version">) => `${p.name}@${p.version} (id ${p.id})`;

export function endpointTarget(db: Db, row: PolicyRow): EndpointTarget {
  if (row.kind !== "external" || !row.endpoint || !row.endpointConfig) throw new Error(`policy ${policyWithId(row)} is not an external endpoint`);
  const key = db.select({ apiKey: policyApiKeys.apiKey }).from(policyApiKeys).where(eq(policyApiKeys.policyId, row.id)).get();
  return { label: policyWithId(row), baseUrl: row.endpoint, apiKey: key?.apiKey ?? null, config: endpointConfigSchema.parse(row.endpointConfig) };
}
