// What a `sample` run samples: which policy versions (by default the project's newest against its
// parent) and which of the project's prompts.
import { and, asc, eq, inArray, like, notInArray, sql } from "drizzle-orm";
import { evaluationPrompts, type PromptToAnswer } from "../../core/evaluation-prompts";
import { ensureBuiltinPolicy, requirePolicy, requireSampleablePolicy, resolveStartPolicy, type PolicyRow } from "../../core/policy-versions";
import type { Db } from "../../db/client";
import { completions, prompts, tasks } from "../../db/schema";
import type { SampleConfig } from "./config";

/**
 * The policies asked for (each a checkpoint or an external endpoint), else the project's newest policy and its
 * parent; a newest without a parent is set against the built-in policy, and a project with no
 * policy of its own samples the built-in policy alone.
 */
export function samplePolicies(db: Db, projectId: number, policyIds: number[]): PolicyRow[] {
  if (policyIds.length > 0) return policyIds.map((id) => requireSampleablePolicy(db, id));
  const newest = resolveStartPolicy(db, projectId, null);
  const parent = newest.parentId === null ? null : requirePolicy(db, newest.parentId);
  const older = parent ?? ensureBuiltinPolicy(db);
  return older.id === newest.id ? [newest] : [newest, older];
}

/**
 * Held-out prompts, exactly: the project's prompts none of whose tasks (any kind, any status, gold
 * included; synthetic ones, which no annotator sees, aside) shows a completion made by one of `policyIds`. A prompt these policies were already
 * sampled on and sent to annotators is left alone, so repeated runs spread over new prompts. A
 * task's completions are found through its completion_set_key (sorted ids joined by ","), in
 * SQL that PostgreSQL reads the same way.
 */
export function heldOutForPolicies(db: Db, projectId: number, policyIds: number[]): number[] {
  const covered = db.selectDistinct({ id: tasks.promptId }).from(tasks)
    .innerJoin(completions, and(eq(completions.promptId, tasks.promptId), inArray(completions.policyId, policyIds)))
    .where(and(eq(tasks.projectId, projectId), eq(tasks.synthetic, false), like(sql`',' || ${tasks.completionSetKey} || ','`, sql`'%,' || ${completions.id} || ',%'`)));
  return db.select({ id: prompts.id }).from(prompts)
    .where(and(eq(prompts.projectId, projectId), notInArray(prompts.id, covered)))
    .orderBy(asc(prompts.id)).all().map((r) => r.id);
}

/** The prompts (id, text, messages) of this run: the chosen set, a seeded sample of `maxPrompts`, by id. */
export function samplePrompts(db: Db, projectId: number, policyIds: number[], c: Pick<SampleConfig, "prompts" | "maxPrompts" | "seed">): PromptToAnswer[] {
  const ids = c.prompts === "held-out" ? heldOutForPolicies(db, projectId, policyIds)
    : c.prompts === "all" ? db.select({ id: prompts.id }).from(prompts).where(eq(prompts.projectId, projectId)).orderBy(asc(prompts.id)).all().map((r) => r.id)
    : c.prompts;
  return evaluationPrompts(db, projectId, [], { prompts: ids, maxPrompts: c.maxPrompts, seed: c.seed });
}
