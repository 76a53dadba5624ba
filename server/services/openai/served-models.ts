/**
 * The policy versions preflab serves on /v1: every version with a checkpoint (the built-in policy,
 * checkpoints runs produced or the CLI registered), named "name@version" as the workspace shows
 * them. A request's `model` may also be a bare name (its newest version) or a policy id.
 */
import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { policies } from "../../../db/schema";
import { ServiceError } from "../errors";

type PolicyRow = typeof policies.$inferSelect;
export type ServedPolicy = PolicyRow & { path: string };

export const modelId = (p: Pick<PolicyRow, "name" | "version">) => `${p.name}@${p.version}`;

export function servedPolicies(db: Db): ServedPolicy[] {
  return db.select().from(policies).where(isNotNull(policies.path)).orderBy(policies.id).all() as ServedPolicy[];
}

/** The version a request names; NOT_FOUND (the API's 404 model_not_found) says how to list them. */
export function resolveServedModel(db: Db, model: string): ServedPolicy {
  const served = isNotNull(policies.path);
  const at = model.lastIndexOf("@");
  const byId = /^\d+$/.test(model) ? db.select().from(policies).where(and(served, eq(policies.id, Number(model)))).get() : undefined;
  const byLabel = at > 0 && /^\d+$/.test(model.slice(at + 1))
    ? db.select().from(policies).where(and(served, eq(policies.name, model.slice(0, at)), eq(policies.version, Number(model.slice(at + 1))))).orderBy(desc(policies.id)).get()
    : undefined;
  const byName = db.select().from(policies).where(and(served, eq(policies.name, model))).orderBy(desc(policies.version), desc(policies.id)).get();
  const row = byId ?? byLabel ?? byName;
  if (!row) throw new ServiceError("NOT_FOUND", `The model "${model}" does not exist here: GET /v1/models lists the policy versions preflab serves (name@version).`);
  return row as ServedPolicy;
}
