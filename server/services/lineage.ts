/**
 * A project's policy versions as a lineage: each version with its parent, the run that made it,
 * what that run trained on (in the trainer's own words, from the run's log), the held-out numbers
 * the run ended with (KL to and reward-model win rate against the version it started from), and
 * every evaluation against a base. Versions of the project, versions whose completions it shows
 * (imported or external models), and all their ancestors (the built-in policy), so the tree is whole.
 */
import { and, asc, eq, inArray, isNotNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { evaluations, policies, runEvents, trainingRuns } from "../../db/schema";
import { projectPolicies } from "./leaderboard";

type PolicyRow = typeof policies.$inferSelect;
export const policyLabel = (p: Pick<PolicyRow, "name" | "version">) => `${p.name}@${p.version}`;

/** The project's versions and every ancestor of theirs, oldest first. */
function versionsWithAncestors(db: Db, projectId: number): PolicyRow[] {
  const byId = new Map<number, PolicyRow>();
  const add = (rows: PolicyRow[]) => rows.forEach((p) => byId.set(p.id, p));
  add(db.select().from(policies).where(eq(policies.projectId, projectId)).all());
  add(projectPolicies(db, projectId));
  // One query per generation; a parent row that no longer exists is asked for once.
  const asked = new Set<number>();
  for (;;) {
    const missing = [...new Set([...byId.values()].flatMap((p) => (p.parentId !== null && !byId.has(p.parentId) && !asked.has(p.parentId) ? [p.parentId] : [])))];
    if (missing.length === 0) break;
    missing.forEach((id) => asked.add(id));
    add(db.select().from(policies).where(inArray(policies.id, missing)).all());
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** The first line each run logged: what its executor read (e.g. "dpo (sigmoid, β=0.1) on 36 preference pairs …"). */
function dataLines(db: Db, runIds: number[]): Map<number, string> {
  if (runIds.length === 0) return new Map();
  const rows = db
    .select({ runId: runEvents.runId, message: runEvents.message })
    .from(runEvents)
    .where(and(inArray(runEvents.runId, runIds), isNotNull(runEvents.message)))
    .orderBy(asc(runEvents.id))
    .all();
  const first = new Map<number, string>();
  for (const r of rows) if (!first.has(r.runId)) first.set(r.runId, r.message!);
  return first;
}

const numberOr = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function policyLineage(db: Db, projectId: number) {
  const versions = versionsWithAncestors(db, projectId);
  const labels = new Map(versions.map((p) => [p.id, policyLabel(p)]));
  const runIds = versions.flatMap((p) => (p.runId !== null ? [p.runId] : []));
  const runs = new Map(runIds.length ? db.select().from(trainingRuns).where(inArray(trainingRuns.id, runIds)).all().map((r) => [r.id, r]) : []);
  const data = dataLines(db, runIds);
  const evaluated = db.select().from(evaluations).where(eq(evaluations.projectId, projectId)).orderBy(asc(evaluations.id)).all();
  return versions.map((p) => {
    const run = p.runId !== null ? runs.get(p.runId) : undefined;
    const held = (p.evaluation ?? {}) as Record<string, unknown>;
    return {
      id: p.id,
      label: labels.get(p.id)!,
      kind: p.kind,
      parentId: p.parentId !== null && labels.has(p.parentId) ? p.parentId : null,
      parent: p.parentId !== null ? labels.get(p.parentId) ?? null : null,
      ofThisProject: p.projectId === projectId,
      hasCheckpoint: p.path !== null,
      createdAt: p.createdAt,
      run: run ? { id: run.id, kind: run.kind, status: run.status, config: run.config, startedAt: run.startedAt, finishedAt: run.finishedAt } : null,
      /** What the run trained on, as its executor logged it; null for versions no run of this database made. */
      data: run ? { description: data.get(run.id) ?? null, judgementsUntil: run.startedAt } : null,
      /** The held-out evaluation the run ended with, against the version it started from (its parent). */
      heldOut: p.evaluation
        ? { prompts: numberOr(held.prompts), klToParent: numberOr(held.klToReference), rewardWinRate: numberOr(held.rewardWinRate), meanReward: numberOr(held.meanReward) }
        : null,
      /** Evaluate runs that compared this version with a base. */
      evaluations: evaluated
        .filter((e) => e.policyId === p.id)
        .map((e) => ({
          runId: e.runId,
          base: labels.get(e.basePolicyId) ?? `policy ${e.basePolicyId}`,
          rewardWinRate: numberOr(e.metrics.alignmentAccuracy),
          klToBase: numberOr(e.metrics.klToBase),
          meanReward: numberOr(e.metrics.meanReward),
          prompts: e.promptIds.length,
        })),
    };
  });
}

export type LineageNode = ReturnType<typeof policyLineage>[number];
