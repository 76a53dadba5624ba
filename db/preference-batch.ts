import type { Database, Statement } from "better-sqlite3";
import type { Db } from "./client";
import type { JudgementSource, PairOutcome, RunKind, TaskKind } from "./enums";
import type { CompletionView, JudgementView, PreferenceFilters } from "./preference-rows";
import type { ChatMessage, GoldAnswer } from "./schema";

/**
 * One batch of a project's tasks (in id order, after a given id) with their judgements, prompts
 * and completions: what preference-rows.ts turns into judgement views and preference pairs.
 */

const TASK_BATCH = 500;

/**
 * The batch reads, as SQL prepared once per connection and filter shape and reused for every
 * batch: building and preparing four queries per 500 tasks through the query builder, and mapping
 * every column of every row, cost more than SQLite's reads themselves at a million judgements.
 * Id lists travel as one JSON array parameter (json_each), so one statement serves every batch.
 */
function batchSql(filters: PreferenceFilters) {
  const ids = "(select value from json_each(?))";
  return {
    tasks: `select id, kind, prompt_id, completion_ids, is_gold, gold_answer
      from tasks where project_id = ? and id > ? and judgement_count > 0
      ${filters.includeGold ? "" : "and is_gold = 0"} ${filters.includeSynthetic ? "" : "and synthetic = 0"}
      order by id limit ${TASK_BATCH}`,
    judgements: `select j.id, j.task_id, j.import_id, j.source, j.run_id, j.outcome, j.strength, j.ranking, j.chosen_completion_id,
        j.corrected_completion_id, j.rationale, j.seconds_on_task, j.display_order, j.created_at, u.pseudonym, r.kind
      from judgements j left join users u on u.id = j.annotator_id left join training_runs r on r.id = j.run_id
      where j.task_id in ${ids} and j.undone_at is null ${filters.includeSynthetic ? "" : "and j.source <> 'synthetic'"}
      order by j.task_id, j.id`,
    prompts: `select id, text, messages from prompts where id in ${ids}`,
    completions: `select c.id, c.text, c.messages, c.policy_id, p.name, p.version
      from completions c left join policies p on p.id = c.policy_id where c.id in ${ids}`,
  };
}

type BatchStatements = { [K in keyof ReturnType<typeof batchSql>]: Statement };
const prepared = new WeakMap<Database, Map<string, BatchStatements>>();

/** Rows come back as arrays (raw), in the column order of batchSql, and become one object each below. */
function statementsFor(db: Db, filters: PreferenceFilters): BatchStatements {
  let byShape = prepared.get(db.$client);
  if (!byShape) prepared.set(db.$client, (byShape = new Map()));
  const shape = `${Boolean(filters.includeGold)}:${Boolean(filters.includeSynthetic)}`;
  let statements = byShape.get(shape);
  if (!statements) {
    const sql = batchSql(filters);
    const raw = (source: string) => db.$client.prepare(source).raw(true);
    statements = { tasks: raw(sql.tasks), judgements: raw(sql.judgements), prompts: raw(sql.prompts), completions: raw(sql.completions) };
    byShape.set(shape, statements);
  }
  return statements;
}

const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export interface TaskRow {
  id: number;
  kind: TaskKind;
  promptId: number;
  completionIds: number[];
  isGold: boolean;
  goldAnswer: GoldAnswer | null;
}

export interface JudgementRow {
  id: number;
  taskId: number;
  importId: number | null;
  source: JudgementSource;
  runId: number | null;
  outcome: PairOutcome | null;
  strength: number | null;
  ranking: number[][] | null;
  chosenCompletionId: number | null;
  correctedCompletionId: number | null;
  rationale: string | null;
  secondsOnTask: number | null;
  displayOrder: number[];
  createdAt: Date;
  pseudonym: string | null;
  runKind: RunKind | null;
}

export type PromptView = JudgementView["prompt"];

type Cells = Array<string | number | null>;
const str = (v: unknown) => v as string;
const num = (v: unknown) => v as number;

function taskRow(r: Cells): TaskRow {
  return { id: num(r[0]), kind: str(r[1]) as TaskKind, promptId: num(r[2]), completionIds: JSON.parse(str(r[3])) as number[], isGold: r[4] === 1, goldAnswer: parseJson<GoldAnswer>(r[5] as string | null) };
}

function judgementRow(r: Cells): JudgementRow {
  return {
    id: num(r[0]),
    taskId: num(r[1]),
    importId: r[2] as number | null,
    source: str(r[3]) as JudgementSource,
    runId: r[4] as number | null,
    outcome: r[5] as PairOutcome | null,
    strength: r[6] as number | null,
    ranking: parseJson<number[][]>(r[7] as string | null),
    chosenCompletionId: r[8] as number | null,
    correctedCompletionId: r[9] as number | null,
    rationale: r[10] as string | null,
    secondsOnTask: r[11] as number | null,
    displayOrder: JSON.parse(str(r[12])) as number[],
    createdAt: new Date(num(r[13])),
    pseudonym: r[14] as string | null,
    runKind: r[15] as RunKind | null,
  };
}

export function loadBatch(db: Db, filters: PreferenceFilters, afterTaskId: number) {
  const sql = statementsFor(db, filters);
  const taskRows = (sql.tasks.all(filters.projectId, afterTaskId) as Cells[]).map(taskRow);
  if (taskRows.length === 0) return null;
  const judgementRows = (sql.judgements.all(JSON.stringify(taskRows.map((t) => t.id))) as Cells[]).map(judgementRow);
  const promptIds = [...new Set(taskRows.map((t) => t.promptId))];
  const prompts = (sql.prompts.all(JSON.stringify(promptIds)) as Cells[]).map((p): PromptView => ({ id: num(p[0]), text: str(p[1]), messages: parseJson<ChatMessage[]>(p[2] as string | null) }));
  const completionIds = [...new Set(taskRows.flatMap((t) => t.completionIds).concat(
    judgementRows.flatMap((r) => (r.correctedCompletionId ? [r.correctedCompletionId] : [])),
  ))];
  const completions = (sql.completions.all(JSON.stringify(completionIds)) as Cells[]).map((c) => ({ id: num(c[0]), policyId: c[3] as number | null, view: toCompletionView(c) }));
  return { taskRows, judgementRows, prompts, completions, lastTaskId: taskRows[taskRows.length - 1]!.id };
}

function toCompletionView(r: Cells): CompletionView {
  return { id: num(r[0]), text: str(r[1]), messages: parseJson<ChatMessage[]>(r[2] as string | null), policy: r[4] === null ? null : `${r[4]}@${r[5]}` };
}

