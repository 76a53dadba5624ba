import type { JudgementView } from "./preference-rows";

/**
 * KTO labels (desirable / undesirable single completions) of one judgement. The `kto` export and
 * KTO training (trainer/dpo/) both read this, so the exported file is what a run trained on.
 *
 * - pair: the winner is desirable and the loser undesirable; both-bad makes both undesirable; a
 *   tie says nothing about either, so it carries no label.
 * - rank: the first group is desirable and the last group undesirable; middle groups, completions
 *   left unranked and a ranking that is one tied group carry no label.
 * - correction: the edited text (or the chosen completion when it was left unchanged) is
 *   desirable and every displayed completion other than it undesirable, the chosen original
 *   included when it was edited: it is the rejected side of edited ≻ chosen, and needed fixing.
 * - gold tasks (only present when the filters ask for them): the labels come from the task's
 *   known answer, not from what the annotator answered, so a wrong answer to a gold item never
 *   teaches the model. The known winner (or first group) is desirable and the rest (or the last
 *   group) undesirable, by the same rules as a judgement; one set of labels per judgement, so a
 *   gold item counts as often as it was judged, like any task with overlap.
 */

export interface KtoLabel {
  completionId: number;
  desirable: boolean;
}

export type KtoJudgement = Pick<JudgementView, "taskKind" | "derivation" | "gold">;

/** First group desirable, last group undesirable; fewer than two groups say nothing. */
function fromGroups(groups: readonly number[][]): KtoLabel[] {
  if (groups.length < 2) return [];
  const best = groups[0]!.map((completionId) => ({ completionId, desirable: true }));
  const worst = groups[groups.length - 1]!.map((completionId) => ({ completionId, desirable: false }));
  return [...best, ...worst];
}

/** `best` desirable, every other displayed completion undesirable. */
const bestOfShown = (best: number, shown: readonly number[]) => fromGroups([[best], shown.filter((id) => id !== best)]);

function fromGold(j: KtoJudgement): KtoLabel[] {
  const gold = j.gold!;
  if ("ranking" in gold) return fromGroups(gold.ranking);
  return bestOfShown(gold.winner, j.derivation.displayOrder);
}

function fromPair(j: KtoJudgement): KtoLabel[] {
  const [left, right] = j.derivation.displayOrder;
  if (left === undefined || right === undefined) return [];
  switch (j.derivation.outcome) {
    case "left":
      return fromGroups([[left], [right]]);
    case "right":
      return fromGroups([[right], [left]]);
    case "both_bad":
      return [{ completionId: left, desirable: false }, { completionId: right, desirable: false }];
    default:
      return [];
  }
}

function fromCorrection(j: KtoJudgement): KtoLabel[] {
  const { chosenCompletionId: chosen, correctedCompletionId: corrected, displayOrder } = j.derivation;
  if (chosen === null) return [];
  return bestOfShown(corrected ?? chosen, displayOrder);
}

/** The KTO labels of one judgement, desirable ones first; see the rules above. */
export function ktoLabels(j: KtoJudgement): KtoLabel[] {
  if (j.gold) return fromGold(j);
  if (j.taskKind === "rank") return fromGroups(j.derivation.ranking ?? []);
  if (j.taskKind === "correction") return fromCorrection(j);
  return fromPair(j);
}
