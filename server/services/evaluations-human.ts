/**
 * Human win rate of a policy against its base, from pair judgements: non-gold pair tasks on the
 * evaluation's prompts whose two completions are one of the policy's and one of the base's
 * (what a blind human comparison creates, and any other such pair on those prompts). A pair
 * outcome is relative to what the annotator saw ("left" = displayOrder[0] won), resolved to
 * policies through the completions' policyId. Ties count half a win; both-bad is counted apart
 * and never as a game; undone and synthetic (drex, trex) judgements are ignored.
 */
import { and, eq, inArray, isNotNull, isNull, ne } from "drizzle-orm";
import type { Db } from "../../db/client";
import { completions, judgements, tasks } from "../../db/schema";
import { wilsonInterval } from "../../stats/wilson";

export interface HumanWinRate {
  /** Wins of the policy (ties half) over games (wins + losses + ties). */
  winRate: number | null;
  low: number | null;
  high: number | null;
  games: number;
  wins: number;
  losses: number;
  ties: number;
  bothBad: number;
}

export function humanWinRate(db: Db, o: { policyId: number; baseId: number; promptIds: number[] }): HumanWinRate {
  const rows = o.promptIds.length === 0 ? [] : db
    .select({ outcome: judgements.outcome, shown: judgements.displayOrder })
    .from(judgements)
    .innerJoin(tasks, eq(tasks.id, judgements.taskId))
    .where(and(inArray(tasks.promptId, o.promptIds), eq(tasks.kind, "pair"), eq(tasks.isGold, false), isNull(judgements.undoneAt), isNotNull(judgements.outcome), ne(judgements.source, "synthetic")))
    .all();
  const ids = [...new Set(rows.flatMap((r) => r.shown))];
  const policyOf = new Map(ids.length ? db.select({ id: completions.id, policyId: completions.policyId }).from(completions).where(inArray(completions.id, ids)).all().map((c) => [c.id, c.policyId]) : []);
  const tally = { wins: 0, losses: 0, ties: 0, bothBad: 0 };
  for (const { outcome, shown } of rows) {
    const [left, right] = shown.map((id) => policyOf.get(id));
    const ours = left === o.policyId && right === o.baseId ? "left" : right === o.policyId && left === o.baseId ? "right" : null;
    if (ours === null || o.policyId === o.baseId) continue;
    if (outcome === "tie") tally.ties++;
    else if (outcome === "both_bad") tally.bothBad++;
    else if (outcome === ours) tally.wins++;
    else tally.losses++;
  }
  const games = tally.wins + tally.losses + tally.ties;
  const score = tally.wins + tally.ties / 2;
  const interval = wilsonInterval(score, games);
  return { ...tally, games, winRate: games ? score / games : null, low: interval?.low ?? null, high: interval?.high ?? null };
}
