/**
 * The policy leaderboard of a project: pair judgements between completions of two different
 * policies, aggregated in SQL (GROUP BY left policy, right policy, outcome), fitted by
 * stats/bradley-terry.ts. A pair outcome is relative to what the annotator saw, as in
 * db/derive-pairs.ts: "left" means the completion displayed first won. Ties count half a win
 * each way; both-bad is reported per policy but never counted as a game. Undone judgements
 * are ignored; rank and correction tasks are not part of the leaderboard (pair tasks only).
 */
import { and, asc, eq, inArray, isNotNull, isNull, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../../db/client";
import type { PairOutcome } from "../../db/enums";
import { completions, judgements, policies, prompts, tasks } from "../../db/schema";
import { leaderboard, type LeaderboardRow, type Outcome, type PolicyJudgement } from "../../stats/bradley-terry";
import { ServiceError } from "./errors";

export interface LeaderboardOptions {
  /** Policy anchored at 1000, as "name@version" or a name unique in the project; default the earliest. */
  base?: string;
  /** Bootstrap resamples behind the 95% intervals. */
  bootstraps?: number;
}

export interface ProjectLeaderboard {
  base: string | null;
  rows: LeaderboardRow[];
  /** Judgements behind the table (both-bad included). */
  judgements: number;
}

const OUTCOME: Record<PairOutcome, Outcome> = { left: "a", right: "b", tie: "tie", both_bad: "both_bad" };
const label = (p: { name: string; version: number }) => `${p.name}@${p.version}`;

/** One row per (policy shown left, policy shown right, outcome) with its count. */
export function policyJudgementCounts(db: Db, projectId: number) {
  const left = alias(completions, "left_completion");
  const right = alias(completions, "right_completion");
  return db
    .select({ a: left.policyId, b: right.policyId, outcome: judgements.outcome, count: sql<number>`count(*)` })
    .from(judgements)
    .innerJoin(tasks, eq(tasks.id, judgements.taskId))
    .innerJoin(left, eq(left.id, sql`json_extract(${judgements.displayOrder}, '$[0]')`))
    .innerJoin(right, eq(right.id, sql`json_extract(${judgements.displayOrder}, '$[1]')`))
    .where(
      and(
        eq(tasks.projectId, projectId),
        eq(tasks.kind, "pair"),
        isNull(judgements.undoneAt),
        isNotNull(judgements.outcome),
        isNotNull(left.policyId),
        isNotNull(right.policyId),
        ne(left.policyId, right.policyId),
      ),
    )
    .groupBy(left.policyId, right.policyId, judgements.outcome)
    .all();
}

/** Policies with completions in the project, earliest first. */
export function projectPolicies(db: Db, projectId: number) {
  const ids = db
    .selectDistinct({ id: completions.policyId })
    .from(completions)
    .innerJoin(prompts, eq(prompts.id, completions.promptId))
    .where(and(eq(prompts.projectId, projectId), isNotNull(completions.policyId)));
  return db.select().from(policies).where(inArray(policies.id, ids)).orderBy(asc(policies.createdAt), asc(policies.id)).all();
}

function pickBase(labels: Map<number, string>, requested: string | undefined): string | null {
  const all = [...labels.values()];
  if (requested === undefined) return all[0] ?? null;
  if (all.includes(requested)) return requested;
  const byName = all.filter((l) => l.slice(0, l.lastIndexOf("@")) === requested);
  if (byName.length === 1) return byName[0]!;
  const hint = byName.length > 1 ? `several versions: ${byName.join(", ")}` : `policies in this project: ${all.join(", ") || "none"}`;
  throw new ServiceError("BAD_REQUEST", `base policy "${requested}" is ambiguous or unknown (${hint})`);
}

export function projectLeaderboard(db: Db, projectId: number, options: LeaderboardOptions = {}): ProjectLeaderboard {
  const labels = new Map(projectPolicies(db, projectId).map((p) => [p.id, label(p)]));
  const base = pickBase(labels, options.base);
  const counted: PolicyJudgement[] = policyJudgementCounts(db, projectId).map((r) => ({
    a: labels.get(r.a!) ?? `policy-${r.a}`,
    b: labels.get(r.b!) ?? `policy-${r.b}`,
    outcome: OUTCOME[r.outcome!],
    count: r.count,
  }));
  if (base === null) return { base, rows: [], judgements: 0 };
  const rows = leaderboard(counted, { base, policies: [...labels.values()], bootstraps: options.bootstraps ?? 1000, seed: projectId });
  return { base, rows, judgements: counted.reduce((s, j) => s + (j.count ?? 1), 0) };
}
