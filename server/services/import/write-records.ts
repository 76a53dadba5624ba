import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import type { PairOutcome, TaskKind } from "../../../db/enums";
import { completions, judgements, prompts, tasks, type GoldAnswer } from "../../../db/schema";
import { completionSetKey } from "../tasks";
import { createArenaIdentities } from "./arena-identities";
import type { ImportRecord, ImportText } from "./records";

const p = sql.placeholder;

/** A gold answer given as indexes into the row's completions, in completion ids. */
function goldWithIds(gold: GoldAnswer, ids: number[]): GoldAnswer {
  return "winner" in gold ? { winner: ids[gold.winner]! } : { ranking: gold.ranking.map((g) => g.map((i) => ids[i]!)) };
}

/**
 * Prepared inserts for one import: statements are built once and run per row, which is what
 * makes a million-row import take seconds rather than minutes.
 */
export function createRecordWriter(db: Db, ctx: { projectId: number; importId: number; judgementsPerTask: number }) {
  const insertPrompt = db
    .insert(prompts)
    .values({ projectId: ctx.projectId, importId: ctx.importId, text: p("text"), messages: p("messages") })
    .prepare();
  const insertCompletion = db
    .insert(completions)
    .values({ promptId: p("promptId"), policyId: p("policyId"), origin: "import", text: p("text"), messages: p("messages") })
    .prepare();
  const insertTask = db
    .insert(tasks)
    .values({
      projectId: ctx.projectId,
      promptId: p("promptId"),
      kind: p("kind"),
      completionIds: p("completionIds"),
      completionSetKey: p("completionSetKey"),
      requiredJudgements: p("requiredJudgements"),
      judgementCount: p("judgementCount"),
      status: p("status"),
      isGold: p("isGold"),
      goldAnswer: p("goldAnswer"),
    })
    .prepare();
  const insertJudgement = db
    .insert(judgements)
    .values({
      taskId: p("taskId"),
      importId: ctx.importId,
      source: "import",
      annotatorId: p("annotatorId"),
      outcome: p("outcome"),
      displayOrder: p("displayOrder"),
      createdAt: p("createdAt"),
    })
    .prepare();
  const arena = createArenaIdentities(db, ctx.projectId);

  // Consecutive rows that share a prompt (several pairs per prompt) reuse one prompt row.
  let lastPrompt: { key: string; id: number } | null = null;

  const addPrompt = (prompt: ImportText): number => {
    const key = JSON.stringify(prompt);
    if (lastPrompt?.key === key) return lastPrompt.id;
    const id = Number(insertPrompt.run({ text: prompt.text, messages: prompt.messages ?? null }).lastInsertRowid);
    lastPrompt = { key, id };
    return id;
  };
  const addCompletion = (promptId: number, c: ImportText, policyId: number | null = null) =>
    Number(insertCompletion.run({ promptId, policyId, text: c.text, messages: c.messages ?? null }).lastInsertRowid);
  const addJudgement = (taskId: number, shown: number[], outcome: PairOutcome, annotatorId: number | null = null, at: Date | null = null) =>
    insertJudgement.run({ taskId, displayOrder: shown, outcome, annotatorId, createdAt: at ?? new Date() });
  const addTask = (promptId: number, ids: number[], done: boolean, kind: TaskKind = "pair", gold: GoldAnswer | null = null) =>
    Number(
      insertTask.run({
        promptId,
        kind,
        isGold: gold !== null,
        goldAnswer: gold,
        completionIds: ids,
        completionSetKey: completionSetKey(ids),
        requiredJudgements: done ? 1 : ctx.judgementsPerTask,
        judgementCount: done ? 1 : 0,
        status: done ? "complete" : "open",
      }).lastInsertRowid,
    );

  return (record: ImportRecord): void => {
    const promptId = addPrompt(record.prompt);
    if (record.kind === "prompt") return;
    if (record.kind === "completions") {
      const ids = record.completions.map((c) => addCompletion(promptId, c));
      if (record.taskKind) addTask(promptId, ids, false, record.taskKind, record.gold && goldWithIds(record.gold, ids));
      return;
    }
    if (record.kind === "battle") {
      const ids = record.sides.map((side) => addCompletion(promptId, side.completion, arena.policyFor(side.model)));
      addJudgement(addTask(promptId, ids, true), ids, record.outcome, record.judge === null ? null : arena.judgeFor(record.judge), record.at);
      return;
    }
    // An imported preference is a finished pair task with one judgement: chosen shown left, left won.
    const chosenId = addCompletion(promptId, record.chosen);
    const rejectedId = addCompletion(promptId, record.rejected);
    const taskId = addTask(promptId, [chosenId, rejectedId], true);
    addJudgement(taskId, [chosenId, rejectedId], "left");
  };
}
