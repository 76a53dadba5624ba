/**
 * What makes a ranking valid for a task: groups of completion ids, best first, every id one of
 * the task's and none twice; a group of several is a tie (only where the project allows ties);
 * leaving ids out is a partial ranking (only where the project allows it, and never below two).
 */

export interface RankingRules {
  allowTies: boolean;
  allowPartial: boolean;
}

/** A readable reason the ranking is not acceptable, or null when it is. */
export function rankingProblem(ranking: number[][], taskIds: readonly number[], rules: RankingRules): string | null {
  if (ranking.some((group) => group.length === 0)) return "A ranking cannot contain an empty rank.";
  const ranked = ranking.flat();
  const allowed = new Set(taskIds);
  const stranger = ranked.find((id) => !allowed.has(id));
  if (stranger !== undefined) return `Completion ${stranger} is not part of this task.`;
  if (new Set(ranked).size !== ranked.length) return "A completion appears twice in the ranking.";
  if (!rules.allowTies && ranking.some((group) => group.length > 1))
    return "This project does not allow ties: give every completion its own rank.";
  if (ranked.length < taskIds.length && !rules.allowPartial)
    return `Rank all ${taskIds.length} completions (${taskIds.length - ranked.length} missing).`;
  if (ranked.length < 2) return "Rank at least two completions.";
  return null;
}

/** Rank position (0 = best) of each ranked id; tied ids share a position. */
export function rankPositions(ranking: readonly number[][]): Map<number, number> {
  const positions = new Map<number, number>();
  ranking.forEach((group, g) => group.forEach((id) => positions.set(id, g)));
  return positions;
}
