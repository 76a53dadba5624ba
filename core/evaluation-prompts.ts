// What an `evaluate` run compares on: the base of a set of policy versions and the prompts they
// are evaluated on. Shared by the server (it fixes the base when queueing and says how many
// held-out prompts there are) and the worker (it samples them).
import { and, asc, eq, inArray, lte, notInArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { judgements, policies, prompts, tasks, type ChatMessage } from "../db/schema";
import { createRng, shuffle } from "../stats/random";
import { ensureBuiltinPolicy, requireSampleablePolicy, type PolicyRow } from "./policy-versions";

/**
 * The earliest ancestor of `policyId` with a checkpoint (the built-in policy, for runs started from
 * it); an external endpoint has no lineage here, so its base is the built-in policy.
 */
export function lineageRoot(db: Db, policyId: number): PolicyRow {
  let row = requireSampleablePolicy(db, policyId);
  if (row.kind === "external") return ensureBuiltinPolicy(db);
  const seen = new Set<number>([row.id]);
  while (row.parentId !== null && !seen.has(row.parentId)) {
    const parent = db.select().from(policies).where(eq(policies.id, row.parentId)).get();
    if (!parent?.path) break;
    seen.add(parent.id);
    row = parent;
  }
  return row;
}

/**
 * The held-out ("test") prompts of a project for a set of policies. Policy runs do not keep their
 * whole test split (trainer/policy/finish.ts records its size and at most five sample prompts), and
 * a split recomputed now would differ from the run's because the data has grown since. So, exactly:
 * a prompt is held out when NONE of its tasks has a judgement (human or imported, undone or not)
 * created at or before the moment the newest of `policyIds` was registered. A policy run trains on
 * the judgements that exist when it starts and registers its version after, and every ancestor
 * was registered before its descendants, so no held-out prompt contributed to any compared
 * policy or its lineage. (A built-in or CLI checkpoint was trained elsewhere: nothing to exclude.)
 */
export function heldOutPromptIds(db: Db, projectId: number, policyIds: number[]): number[] {
  const rows = policyIds.length ? db.select({ createdAt: policies.createdAt }).from(policies).where(inArray(policies.id, policyIds)).all() : [];
  const cutoff = new Date(Math.max(0, ...rows.map((r) => r.createdAt.getTime())));
  const judged = db
    .selectDistinct({ id: tasks.promptId })
    .from(judgements)
    .innerJoin(tasks, eq(tasks.id, judgements.taskId))
    .where(and(eq(tasks.projectId, projectId), lte(judgements.createdAt, cutoff)));
  return db.select({ id: prompts.id }).from(prompts)
    .where(and(eq(prompts.projectId, projectId), notInArray(prompts.id, judged)))
    .orderBy(asc(prompts.id)).all().map((r) => r.id);
}

export interface PromptChoice {
  prompts: "test" | "all" | number[];
  maxPrompts: number;
  seed: number;
}

/** A prompt as policies answer it: its text, and its message list when it is a conversation. */
export interface PromptToAnswer {
  id: number;
  text: string;
  messages: ChatMessage[] | null;
}

/** The prompts (id, text, messages) an evaluation uses: the chosen set, a seeded sample of `maxPrompts`, by id. */
export function evaluationPrompts(db: Db, projectId: number, policyIds: number[], c: PromptChoice): PromptToAnswer[] {
  const ids = c.prompts === "test" ? heldOutPromptIds(db, projectId, policyIds)
    : c.prompts === "all" ? db.select({ id: prompts.id }).from(prompts).where(eq(prompts.projectId, projectId)).orderBy(asc(prompts.id)).all().map((r) => r.id)
    : [...new Set(c.prompts)];
  if (ids.length === 0) return [];
  const chosen = new Set(shuffle(createRng(c.seed), [...ids]).slice(0, c.maxPrompts));
  const rows = db.select({ id: prompts.id, text: prompts.text, messages: prompts.messages }).from(prompts)
    .where(and(eq(prompts.projectId, projectId), inArray(prompts.id, [...chosen]))).orderBy(asc(prompts.id)).all();
  if (Array.isArray(c.prompts) && rows.length < chosen.size) {
    const missing = [...chosen].filter((id) => !rows.some((r) => r.id === id));
    throw new Error(`prompt ids ${missing.join(", ")} are not prompts of project ${projectId}`);
  }
  return rows;
}
