/**
 * A labeling project judged through the real services (task creation, assignment, submission) on
 * a migrated SQLite file, for the policy-data loaders' tests. Answers are given by completion id
 * and turned into what the annotator would click for the display order they were shown.
 */
import type { TaskKind } from "../../db/enums";
import type { GoldAnswer } from "../../db/schema";
import { pickNextTask } from "../../server/services/assignment";
import { submitJudgement, type JudgementAnswer } from "../../server/services/judgements";
import { createTasks } from "../../server/services/tasks";
import { addPrompt, addUser, labelingDb } from "../../server/services/tasks-fixtures";

export type AnswerById =
  | { winner: number; strength: 1 | 2 | 3 }
  | { outcome: "tie" | "both_bad" }
  | { ranking: number[][] }
  | { chosen: number; text: string };

function answerFor(kind: TaskKind, a: AnswerById, shown: number[]): JudgementAnswer {
  if ("winner" in a) return { kind: "pair", outcome: shown[0] === a.winner ? "left" : "right", strength: a.strength };
  if ("outcome" in a) return { kind: "pair", outcome: a.outcome };
  if ("ranking" in a) return { kind: "rank", ranking: a.ranking };
  if (kind !== "correction") throw new Error(`a chosen/text answer is for correction tasks, not ${kind}`);
  return { kind: "correction", chosenCompletionId: a.chosen, correctedText: a.text };
}

/** One project (one judgement per task, no gold served before regular work) and one annotator. */
export function judgedProject() {
  const fx = labelingDb({ goldRate: 0, judgementsPerTask: 1, allowRankTies: true });
  const ann = addUser(fx.db, "ann");
  let submitted = 0;
  /** Makes a task over `n` new completions of a new prompt; `answer` picks from their ids. */
  const judge = (kind: TaskKind, prompt: string, n: number, answer: (ids: number[]) => AnswerById, gold?: (ids: number[]) => GoldAnswer) => {
    const { promptId, completionIds: ids } = addPrompt(fx.db, fx.projectId, n, prompt);
    const [taskId] = createTasks(fx.db, fx.projectId, kind, [{ promptId, completionIds: ids, goldAnswer: gold?.(ids) }]).created;
    const shown = pickNextTask(fx.db, ann.id, fx.projectId).task!;
    if (shown.taskId !== taskId) throw new Error(`expected task ${taskId} to be served, got ${shown.taskId}`);
    const order = shown.completions.map((c) => c.id);
    submitJudgement(fx.db, ann.id, { taskId: taskId!, idempotencyKey: `key-${++submitted}`, answer: answerFor(kind, answer(ids), order) });
    return ids;
  };
  return { ...fx, ann, judge };
}

/** The text addPrompt gives completion `i` of a prompt. */
export const answerText = (prompt: string, i: number) => `answer ${i} to ${prompt}`;
