import type { PairOutcome, TaskKind } from "../db/enums";
import type { GoldAnswer } from "../db/schema";
import { ServiceError } from "./errors";
import { rankingProblem, rankPositions } from "./ranking";

/**
 * Gold tasks carry a known answer. A pair or correction gold is the winning completion; a rank
 * gold is a full ranking (ties allowed, meaning "either order is right").
 */

export function checkGoldAnswer(kind: TaskKind, ids: readonly number[], gold: GoldAnswer): void {
  if (kind === "rank") {
    if (!("ranking" in gold)) throw new ServiceError("BAD_REQUEST", "A rank gold task needs a gold ranking.");
    const problem = rankingProblem(gold.ranking, ids, { allowTies: true, allowPartial: false });
    if (problem) throw new ServiceError("BAD_REQUEST", `Gold ranking: ${problem}`);
    return;
  }
  if (!("winner" in gold) || !ids.includes(gold.winner))
    throw new ServiceError("BAD_REQUEST", `A ${kind} gold task needs a winner among its completions.`);
}

export interface AnswerForGold {
  displayOrder: readonly number[];
  outcome: PairOutcome | null;
  ranking: number[][] | null;
  chosenCompletionId: number | null;
}

/**
 * Whether an answer matches the gold. Pair: the chosen side is the gold winner (tie and both-bad
 * are wrong: the gold item has a winner). Correction: the chosen completion is the winner. Rank:
 * every strict preference of the gold ranking is kept strictly (ties in the gold accept any order;
 * a completion left unranked or tied where the gold is strict is wrong).
 */
export function isGoldCorrect(kind: TaskKind, gold: GoldAnswer, answer: AnswerForGold): boolean {
  if (kind === "rank") return "ranking" in gold && answer.ranking !== null && keepsStrictOrder(gold.ranking, answer.ranking);
  if (!("winner" in gold)) return false;
  if (kind === "correction") return answer.chosenCompletionId === gold.winner;
  const [left, right] = answer.displayOrder;
  const picked = answer.outcome === "left" ? left : answer.outcome === "right" ? right : undefined;
  return picked === gold.winner;
}

function keepsStrictOrder(gold: number[][], given: number[][]): boolean {
  const goldPos = rankPositions(gold);
  const givenPos = rankPositions(given);
  for (const [a, ga] of goldPos)
    for (const [b, gb] of goldPos) {
      if (ga >= gb) continue; // only pairs where the gold says a ≻ b
      const pa = givenPos.get(a);
      const pb = givenPos.get(b);
      if (pa === undefined || pb === undefined || pa >= pb) return false;
    }
  return true;
}
