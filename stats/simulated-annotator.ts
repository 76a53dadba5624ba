// A simulated annotator grounded in real human ratings: to compare two movie-review snippets
// it draws one of the real ratings each snippet received (a random person's opinion) and
// prefers the higher one, tie when equal. So its preferences disagree, tie and err exactly as
// often as real raters' ratings do, which is what demo data, e2e fixtures and benchmarks need
// (a simulator that always prefers the higher mean would make agreement look perfect).

import { uniformInt, createRng, type Rng } from "./random";
import type { SnippetRatings } from "./simulated-annotator-ratings";

export type SimulatedOutcome = "left" | "right" | "tie";

export interface SimulatedJudgement {
  outcome: SimulatedOutcome;
  /**
   * 1..3 (slightly, clearly, much better) from the gap between the two sampled ratings on the
   * -4..4 scale: gap 1-2 → 1, 3-4 → 2, 5+ → 3. A heuristic, not in the data; null for a tie.
   */
  strength: 1 | 2 | 3 | null;
  leftRating: number;
  rightRating: number;
}

export interface PreferenceProbabilities {
  left: number;
  right: number;
  tie: number;
}

function strengthOf(gap: number): 1 | 2 | 3 | null {
  if (gap === 0) return null;
  return gap <= 2 ? 1 : gap <= 4 ? 2 : 3;
}

/** One simulated judgement: sample a rating of each side, prefer the higher. */
export function simulatePreference(left: readonly number[], right: readonly number[], rng: Rng): SimulatedJudgement {
  if (left.length === 0 || right.length === 0) throw new Error("each side needs at least one rating");
  const leftRating = left[uniformInt(rng, left.length)];
  const rightRating = right[uniformInt(rng, right.length)];
  const outcome = leftRating > rightRating ? "left" : leftRating < rightRating ? "right" : "tie";
  return { outcome, strength: strengthOf(Math.abs(leftRating - rightRating)), leftRating, rightRating };
}

/** The exact outcome probabilities of simulatePreference: the share of all rating pairs. */
export function preferenceProbabilities(left: readonly number[], right: readonly number[]): PreferenceProbabilities {
  let wins = 0;
  let losses = 0;
  for (const a of left) {
    for (const b of right) {
      if (a > b) wins += 1;
      else if (a < b) losses += 1;
    }
  }
  const pairs = left.length * right.length;
  return { left: wins / pairs, right: losses / pairs, tie: (pairs - wins - losses) / pairs };
}

export interface SimulatedAnnotator {
  /** Judges two snippets by id; throws for an unknown id. */
  judge(leftId: number, rightId: number): SimulatedJudgement;
}

/** An annotator over loaded snippets with its own seeded stream (same seed, same judgements). */
export function createSimulatedAnnotator(snippets: readonly SnippetRatings[], seed: number): SimulatedAnnotator {
  const byId = new Map(snippets.map((s) => [s.id, s.ratings]));
  const rng = createRng(seed);
  const ratingsOf = (id: number) => {
    const ratings = byId.get(id);
    if (!ratings) throw new Error(`no ratings for snippet ${id}`);
    return ratings;
  };
  return { judge: (leftId, rightId) => simulatePreference(ratingsOf(leftId), ratingsOf(rightId), rng) };
}
