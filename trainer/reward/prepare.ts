/**
 * The pairs a reward model trains on, chosen from the derived preference pairs, and the fail-fast
 * checks that turn "nothing to learn from" into a message naming what is missing.
 * Both-bad pairs never train a reward model (neither answer is better, and it is not a tie);
 * ties train only under a tie model (losses.ts).
 */
import type { PairRelation } from "../../db/derive-pairs";
import type { TieMode } from "./losses";

/** Fewer decided pairs than this cannot fill a training and a validation split meaningfully. */
export const MIN_DECIDED_PAIRS = 10;

/** Counts behind the messages, also shown with a run. */
export interface PairCounts {
  preferred: number;
  tie: number;
  both_bad: number;
}

export function countRelations(pairs: ReadonlyArray<{ relation: PairRelation }>): PairCounts {
  const counts: PairCounts = { preferred: 0, tie: 0, both_bad: 0 };
  for (const p of pairs) counts[p.relation]++;
  return counts;
}

/**
 * Keeps the pairs the loss uses (preferred, plus ties unless excluded) or throws an Error whose
 * message says what the project lacks.
 */
export function selectRewardPairs<T extends { relation: PairRelation }>(
  pairs: readonly T[],
  tieMode: TieMode,
  minDecided = MIN_DECIDED_PAIRS,
): T[] {
  const counts = countRelations(pairs);
  const summary = `${counts.preferred} preferred, ${counts.tie} tie, ${counts.both_bad} both-bad`;
  if (pairs.length === 0) throw new Error("no judgements to train a reward model on: label some comparisons first");
  if (counts.preferred === 0 && counts.tie > 0) {
    throw new Error(`every usable judgement is a tie (${summary}): a reward model needs judgements that prefer one answer`);
  }
  if (counts.preferred < minDecided) {
    throw new Error(`not enough judgements: ${summary}; a reward model needs at least ${minDecided} preferred pairs`);
  }
  return pairs.filter((p) => p.relation === "preferred" || (p.relation === "tie" && tieMode !== "exclude"));
}
