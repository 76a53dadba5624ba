/**
 * The policy leaderboard of a project: pair judgements between completions of two different
 * policies, aggregated in SQL (GROUP BY left policy, right policy, outcome), fitted by
 * stats/bradley-terry.ts. A pair outcome is relative to what the annotator saw, as in
 * db/derive-pairs.ts: "left" means the completion displayed first won. Ties count half a win
 * each way; both-bad is reported per policy but never counted as a game. Undone judgements
 * are ignored, and so are synthetic ones (drex, trex runs: people rate policies here); rank and
 * correction tasks are not part of the leaderboard (pair tasks only).
 */
import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { PairOutcome } from "../../db/enums";
import { completions, judgements, policies, prompts, tasks } from "../../db/schema";
import { leaderboard, type LeaderboardRow, type Outcome, type PolicyJudgement } from "../../stats/bradley-terry";
import { ServiceError } from "./errors";
import { syntheticCounts, type SyntheticCount } from "./synthetic-counts";

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
  /** Synthetic judgements of the project (drex, trex runs), never counted in the table. */
  synthetic: SyntheticCount[];
}

const OUTCOME: Record<PairOutcome, Outcome> = { left: "a", right: "b", tie: "tie", both_bad: "both_bad" };
const label = (p: { name: string; version: number }) => `${p.name}@${p.version}`;

/**
 * One row per (policy shown left, policy shown right, outcome) with its count. Judgements are
 * first grouped by their display order as stored (a few distinct pairs of completions among
 * many judgements), so the JSON is parsed and the completions looked up once per group, not
 * once per judgement: 1,000,000 judgements among 50 policies take ~0.7 s of CPU here.
 */
export function policyJudgementCounts(db: Db, projectId: number) {
  return db.all<{ a: number; b: number; outcome: PairOutcome; count: number }>(sql`
    SELECT lc.policy_id AS a, rc.policy_id AS b, g.outcome AS outcome, SUM(g.n) AS count
    FROM (
      SELECT j.display_order AS shown, j.outcome AS outcome, COUNT(*) AS n
      FROM ${judgements} j JOIN ${tasks} t ON t.id = j.task_id
      WHERE t.project_id = ${projectId} AND t.kind = 'pair' AND j.undone_at IS NULL AND j.outcome IS NOT NULL AND j.source <> 'synthetic'
      GROUP BY j.display_order, j.outcome
    ) g
    JOIN ${completions} lc ON lc.id = json_extract(g.shown, '$[0]')
    JOIN ${completions} rc ON rc.id = json_extract(g.shown, '$[1]')
    WHERE lc.policy_id IS NOT NULL AND rc.policy_id IS NOT NULL AND lc.policy_id <> rc.policy_id
    GROUP BY lc.policy_id, rc.policy_id, g.outcome`);
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
    a: labels.get(r.a) ?? `policy-${r.a}`,
    b: labels.get(r.b) ?? `policy-${r.b}`,
    outcome: OUTCOME[r.outcome],
    count: r.count,
  }));
  const synthetic = syntheticCounts(db, projectId);
  if (base === null) return { base, rows: [], judgements: 0, synthetic };
  const rows = leaderboard(counted, { base, policies: [...labels.values()], bootstraps: options.bootstraps ?? 1000, seed: projectId });
  return { base, rows, judgements: counted.reduce((s, j) => s + (j.count ?? 1), 0), synthetic };
}
