import type { PairOutcome, TaskKind } from "./enums";

/**
 * The one derivation from judgements to preference pairs. Export and every trainer read it, so
 * what a researcher exports is exactly what a model was trained on.
 *
 * - pair: left/right become chosen ≻ rejected; tie and both-bad are kept as such (the trainer
 *   decides what to do with them), never dropped and never merged into each other.
 * - rank of N: every unordered pair of ranked completions, N·(N−1)/2 of them, each weighted
 *   1/C(N,2) so that one ranking counts as much as one comparison (InstructGPT); completions in the
 *   same rank group give tie pairs.
 * - correction: edited ≻ chosen (when the text was changed) and chosen ≻ each other completion.
 */

export type PairRelation = "preferred" | "tie" | "both_bad";

export type PairDerivation = "pair" | "rank" | "correction-edit" | "correction-choice";

export interface JudgementForDerivation {
  taskKind: TaskKind;
  /** Completion ids as the annotator saw them, left to right. */
  displayOrder: number[];
  outcome: PairOutcome | null;
  ranking: number[][] | null;
  chosenCompletionId: number | null;
  correctedCompletionId: number | null;
}

export interface DerivedPair {
  /** For `preferred`, the better completion; for tie and both-bad, the left one as displayed. */
  chosenId: number;
  rejectedId: number;
  relation: PairRelation;
  weight: number;
  derivation: PairDerivation;
}

type Deriver = (j: JudgementForDerivation) => DerivedPair[];

const derivePairTask: Deriver = (j) => {
  const [left, right] = j.displayOrder;
  if (left === undefined || right === undefined || !j.outcome) return [];
  // Literals, not a spread of shared fields: spreading into a literal is slow in V8 (see export/provenance.ts).
  switch (j.outcome) {
    case "left":
      return [{ chosenId: left, rejectedId: right, relation: "preferred", weight: 1, derivation: "pair" }];
    case "right":
      return [{ chosenId: right, rejectedId: left, relation: "preferred", weight: 1, derivation: "pair" }];
    case "tie":
      return [{ chosenId: left, rejectedId: right, relation: "tie", weight: 1, derivation: "pair" }];
    case "both_bad":
      return [{ chosenId: left, rejectedId: right, relation: "both_bad", weight: 1, derivation: "pair" }];
  }
};

const deriveRankTask: Deriver = (j) => {
  const groups = j.ranking ?? [];
  const ranked = groups.flat();
  const n = ranked.length;
  if (n < 2) return [];
  const weight = 1 / ((n * (n - 1)) / 2);
  const pairs: DerivedPair[] = [];
  groups.forEach((group, g) => {
    // Ties inside a group, in the order the annotator placed them.
    for (let a = 0; a < group.length; a++)
      for (let b = a + 1; b < group.length; b++)
        pairs.push({ chosenId: group[a]!, rejectedId: group[b]!, relation: "tie", weight, derivation: "rank" });
    // Every member of this group beats every member of each later group.
    for (const worse of groups.slice(g + 1).flat())
      for (const better of group)
        pairs.push({ chosenId: better, rejectedId: worse, relation: "preferred", weight, derivation: "rank" });
  });
  return pairs;
};

const deriveCorrectionTask: Deriver = (j) => {
  const chosen = j.chosenCompletionId;
  if (chosen === null) return [];
  const pairs: DerivedPair[] = [];
  if (j.correctedCompletionId !== null && j.correctedCompletionId !== chosen)
    pairs.push({ chosenId: j.correctedCompletionId, rejectedId: chosen, relation: "preferred", weight: 1, derivation: "correction-edit" });
  for (const other of j.displayOrder.filter((id) => id !== chosen))
    pairs.push({ chosenId: chosen, rejectedId: other, relation: "preferred", weight: 1, derivation: "correction-choice" });
  return pairs;
};

const derivers: Record<TaskKind, Deriver> = {
  pair: derivePairTask,
  rank: deriveRankTask,
  correction: deriveCorrectionTask,
};

export function derivePairs(judgement: JudgementForDerivation): DerivedPair[] {
  return derivers[judgement.taskKind](judgement);
}

/**
 * The label two judgements of the same task must share to agree: the winning completion, or
 * "tie" / "both_bad"; for rankings, the whole ranking.
 */
export function agreementLabel(j: JudgementForDerivation): string | null {
  if (j.taskKind === "rank") return j.ranking ? JSON.stringify(j.ranking) : null;
  if (j.taskKind === "correction") return j.chosenCompletionId === null ? null : String(j.chosenCompletionId);
  const winner = derivePairTask(j)[0];
  if (!winner) return null;
  return winner.relation === "preferred" ? String(winner.chosenId) : winner.relation;
}

/** Share of a task's judgements that agree with its most common label; null below two. */
export function taskAgreement(labels: Array<string | null>): number | null {
  const present = labels.filter((l): l is string => l !== null);
  if (present.length < 2) return null;
  const counts = new Map<string, number>();
  for (const label of present) counts.set(label, (counts.get(label) ?? 0) + 1);
  return Math.max(...counts.values()) / present.length;
}
