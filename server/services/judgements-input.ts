import type { PairOutcome } from "../../db/enums";
import type { ProjectSettings } from "../../db/types";
import { ServiceError } from "./errors";
import { rankingProblem } from "./judgements-ranking";
import type { Task } from "./assignment-leases";

/** What an annotator answers, one shape per task kind (the router's zod union mirrors it). */
export type JudgementAnswer =
  | { kind: "pair"; outcome: PairOutcome; strength?: number | null }
  | { kind: "rank"; ranking: number[][] }
  | { kind: "correction"; chosenCompletionId: number; correctedText: string };

/** The judgement columns an answer fills; `correctedText` becomes a completion when it differs. */
export interface AnswerFields {
  outcome: PairOutcome | null;
  strength: number | null;
  ranking: number[][] | null;
  chosenCompletionId: number | null;
  /** Null when the text was left unchanged: no edit, no edited ≻ chosen pair. */
  correctedText: string | null;
}

const bad = (message: string) => new ServiceError("BAD_REQUEST", message);
const EMPTY: AnswerFields = { outcome: null, strength: null, ranking: null, chosenCompletionId: null, correctedText: null };

function pairFields(answer: Extract<JudgementAnswer, { kind: "pair" }>): AnswerFields {
  const decisive = answer.outcome === "left" || answer.outcome === "right";
  const strength = answer.strength ?? null;
  if (decisive && (strength === null || !Number.isInteger(strength) || strength < 1 || strength > 3))
    throw bad("Choose how much better it is: strength 1 (slightly), 2 (clearly) or 3 (much).");
  if (!decisive && strength !== null) throw bad(`A ${answer.outcome === "tie" ? "tie" : "both-bad"} answer has no strength.`);
  return { ...EMPTY, outcome: answer.outcome, strength };
}

function rankFields(answer: Extract<JudgementAnswer, { kind: "rank" }>, task: Task, settings: ProjectSettings): AnswerFields {
  const problem = rankingProblem(answer.ranking, task.completionIds, {
    allowTies: settings.allowRankTies,
    allowPartial: settings.allowPartialRanking,
  });
  if (problem) throw bad(problem);
  return { ...EMPTY, ranking: answer.ranking };
}

/** Line endings differ between browsers; an edit is a change of the words, not of "\r\n". */
const normaliseText = (text: string) => text.replace(/\r\n?/g, "\n");

function correctionFields(answer: Extract<JudgementAnswer, { kind: "correction" }>, task: Task, originalText: (id: number) => string): AnswerFields {
  if (!task.completionIds.includes(answer.chosenCompletionId))
    throw bad(`Completion ${answer.chosenCompletionId} is not part of this task.`);
  const edited = normaliseText(answer.correctedText);
  if (edited.trim() === "") throw bad("The corrected text is empty; leave the text unchanged to keep it as it is.");
  const unchanged = edited === normaliseText(originalText(answer.chosenCompletionId));
  return { ...EMPTY, chosenCompletionId: answer.chosenCompletionId, correctedText: unchanged ? null : edited };
}

/** Checks an answer against its task and the project's rules; BAD_REQUEST with the reason. */
export function answerFields(answer: JudgementAnswer, task: Task, settings: ProjectSettings, originalText: (id: number) => string): AnswerFields {
  if (answer.kind !== task.kind) throw bad(`This is a ${task.kind} task, but the answer is for a ${answer.kind} task.`);
  switch (answer.kind) {
    case "pair":
      return pairFields(answer);
    case "rank":
      return rankFields(answer, task, settings);
    case "correction":
      return correctionFields(answer, task, originalText);
  }
}
