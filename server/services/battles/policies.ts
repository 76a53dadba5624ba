/**
 * The policies a battle project draws from, and how often each pair has met: what the sampling
 * rule (draw.ts) weighs. Candidates are the project's versions that can answer (a checkpoint, or
 * an endpoint) and the built-in policy; the researcher may narrow them in the project's settings.
 */
import { inArray } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { policies } from "../../../db/schema";
import type { BattleSettings } from "../../../db/types";
import { ensureBuiltinPolicy } from "../../../core/policy-versions";
import { ServiceError } from "../errors";
import { evaluablePolicies } from "../evaluations";
import { policyJudgementCounts } from "../leaderboard";
import { pairKey } from "./draw";

type PolicyRow = typeof policies.$inferSelect;

/** What the settings form offers: every policy a battle of this project could draw (the built-in one included). */
export function battleCandidates(db: Db, projectId: number) {
  ensureBuiltinPolicy(db);
  return evaluablePolicies(db, projectId).map((p) => ({ id: p.id, label: p.label, kind: p.kind }));
}

/** The rows the project's battles draw from: the chosen ones that can still answer, else every candidate. */
export function battlePolicies(db: Db, projectId: number, settings: BattleSettings): PolicyRow[] {
  const candidates = new Set(battleCandidates(db, projectId).map((p) => p.id));
  const ids = settings.policyIds.length ? settings.policyIds.filter((id) => candidates.has(id)) : [...candidates];
  if (ids.length < 2)
    throw new ServiceError("PRECONDITION_FAILED", "This battle project has fewer than two policies that can answer: a researcher picks them in the project's Policies section.");
  return db.select().from(policies).where(inArray(policies.id, ids)).all();
}

/** Judged games per unordered pair of policies in the project (ties and both-bad count as games met). */
export function gamesByPair(db: Db, projectId: number): Map<string, number> {
  const games = new Map<string, number>();
  for (const r of policyJudgementCounts(db, projectId)) games.set(pairKey(r.a, r.b), (games.get(pairKey(r.a, r.b)) ?? 0) + r.count);
  return games;
}
