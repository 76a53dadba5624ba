import { pickNextTask } from "../assignment";
import { submitJudgement } from "../judgements";
import { createPairTasks } from "../tasks";
import { addPrompt, addUser, labelingDb } from "../tasks-fixtures";

/** A regular pair judged "left" and a gold pair whose known winner the annotator got wrong. */
export function goldProject() {
  const fx = labelingDb({ goldRate: 0, judgementsPerTask: 1 });
  const regular = addPrompt(fx.db, fx.projectId, 2, "regular");
  const gold = addPrompt(fx.db, fx.projectId, 2, "gold");
  createPairTasks(fx.db, fx.projectId, [{ promptId: regular.promptId, completionIds: regular.completionIds }]);
  createPairTasks(fx.db, fx.projectId, [{ promptId: gold.promptId, completionIds: gold.completionIds, goldAnswer: { winner: gold.completionIds[0]! } }]);
  const ann = addUser(fx.db, "ann");
  for (const key of ["regular", "gold"]) {
    const task = pickNextTask(fx.db, ann.id, fx.projectId).task!; // regular work first at gold rate 0
    const wrong = task.completions[0]!.id === gold.completionIds[0] ? "right" : "left";
    submitJudgement(fx.db, ann.id, { taskId: task.taskId, idempotencyKey: key, answer: { kind: "pair", outcome: key === "gold" ? wrong : "left", strength: 2 } });
  }
  return fx;
}
