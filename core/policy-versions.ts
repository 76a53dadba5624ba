// Policy versions: which policy a run starts from, and the version a run's result becomes. Shared
// by the server (it resolves a run's starting policy when queueing, so the run row says exactly
// what it trains) and the worker (it registers the result).
import { and, desc, eq, isNotNull, max } from "drizzle-orm";
import type { Db } from "../db/client";
import { policies } from "../db/schema";

export type PolicyRow = typeof policies.$inferSelect;

/** The built-in policy preflab ships (relative to the working directory, like the demo's). */
export const BUILTIN_POLICY_DIR = "models/builtin";

/** The built-in policy's row, created on first use. */
export function ensureBuiltinPolicy(db: Db): PolicyRow {
  const existing = db.select().from(policies).where(and(eq(policies.kind, "builtin"), eq(policies.path, BUILTIN_POLICY_DIR))).orderBy(desc(policies.id)).get();
  return existing ?? db.insert(policies).values({ name: "builtin", kind: "builtin", path: BUILTIN_POLICY_DIR }).returning().get();
}

export function requirePolicy(db: Db, id: number): PolicyRow {
  const row = db.select().from(policies).where(eq(policies.id, id)).get();
  if (!row) throw new Error(`no policy with id ${id}`);
  if (!row.path) throw new Error(`policy ${id} (${row.name}@${row.version}) has no checkpoint to train from: it is ${row.kind === "external" ? "an external endpoint" : "text imported without a model"}`);
  return row;
}

/** A policy that can answer prompts: a checkpoint (ONNX Runtime) or an external endpoint; not imported text. */
export function requireSampleablePolicy(db: Db, id: number): PolicyRow {
  const row = db.select().from(policies).where(eq(policies.id, id)).get();
  if (!row) throw new Error(`no policy with id ${id}`);
  if (row.kind !== "external") return requirePolicy(db, id);
  if (!row.endpoint || !row.endpointConfig) throw new Error(`policy ${id} (${row.name}@${row.version}) is an external endpoint without its URL or model name: register it again (preflab policy add-endpoint)`);
  return row;
}

/** The policy a run starts from: the one asked for, else the project's newest, else the built-in one. */
export function resolveStartPolicy(db: Db, projectId: number | null, policyId: number | null): PolicyRow {
  if (policyId !== null) return requirePolicy(db, policyId);
  const newest = projectId === null ? undefined : db.select().from(policies)
    .where(and(eq(policies.projectId, projectId), isNotNull(policies.path))).orderBy(desc(policies.id)).get();
  return newest ?? ensureBuiltinPolicy(db);
}

/** A policy row for a checkpoint directory given on the CLI (reused when already registered). */
export function policyForDirectory(db: Db, dir: string): PolicyRow {
  const existing = db.select().from(policies).where(eq(policies.path, dir)).orderBy(desc(policies.id)).get();
  return existing ?? db.insert(policies).values({ name: dir.split(/[\\/]/).filter(Boolean).at(-1) ?? dir, kind: "checkpoint", path: dir }).returning().get();
}

export interface NewPolicyVersion {
  parentId: number | null;
  runId: number;
  projectId: number | null;
  path: string;
  /** Name for a policy without a parent. */
  fallbackName: string;
  evaluation?: Record<string, unknown>;
}

/**
 * Registers a run's result: the parent's name, the next version number of that name. A run has
 * one result: an attempt that repeats the end of a run (its worker died after registering)
 * updates the version it registered instead of adding another.
 */
export function registerPolicyVersion(db: Db, v: NewPolicyVersion): PolicyRow {
  const earlier = db.select().from(policies).where(eq(policies.runId, v.runId)).get();
  if (earlier) return db.update(policies).set({ path: v.path, evaluation: v.evaluation ?? null }).where(eq(policies.id, earlier.id)).returning().get();
  const parent = v.parentId === null ? undefined : db.select().from(policies).where(eq(policies.id, v.parentId)).get();
  const name = parent?.name ?? v.fallbackName;
  const latest = db.select({ version: max(policies.version) }).from(policies).where(eq(policies.name, name)).get()?.version ?? 0;
  return db.insert(policies).values({
    name, kind: "checkpoint", version: latest + 1, parentId: parent?.id ?? null, path: v.path, runId: v.runId, projectId: v.projectId, evaluation: v.evaluation ?? null,
  }).returning().get();
}
