import { and, asc, eq, gt, inArray, isNull, ne } from "drizzle-orm";
import type { Db } from "./client";
import { agreementLabel, derivePairs, taskAgreement, type DerivedPair, type JudgementForDerivation } from "./derive-pairs";
import type { JudgementSource, RunKind } from "./enums";
import { completions, judgements, policies, prompts, tasks, trainingRuns, users, type ChatMessage, type GoldAnswer } from "./schema";

/**
 * Reads judgements with everything export and training need (texts, provenance, agreement) in
 * task batches, so a million judgements stream through bounded memory, and turns them into
 * preference pairs with the one derivation in derive-pairs.ts.
 */

export interface PreferenceFilters {
  projectId: number;
  since?: Date;
  until?: Date;
  /** Keep only judgements of tasks showing a completion of this policy. */
  policyId?: number;
  /** Keep only tasks whose judgements agree at least this much (tasks judged once have none). */
  minAgreement?: number;
  /**
   * Keep judgements of gold tasks (right and wrong ones alike). Off by default: a gold item is a
   * test of the annotator, asked many times over, and would otherwise dominate the data.
   */
  includeGold?: boolean;
  /**
   * Keep synthetic judgements (drex, trex runs). Off by default: they were generated, not given by
   * people, so data and models use them only when someone chooses to.
   */
  includeSynthetic?: boolean;
}

export interface CompletionView {
  id: number;
  text: string;
  messages: ChatMessage[] | null;
  /** "name@version", or null for imported text. */
  policy: string | null;
}

export interface JudgementView {
  judgementId: number;
  taskId: number;
  taskKind: JudgementForDerivation["taskKind"];
  /** The task's known answer when it is a gold task (only seen with `includeGold`), else null. */
  gold: GoldAnswer | null;
  prompt: { id: number; text: string; messages: ChatMessage[] | null };
  completions: Map<number, CompletionView>;
  derivation: JudgementForDerivation;
  strength: number | null;
  rationale: string | null;
  /** A pseudonym; for imports "import-<id>", for synthetic judgements "<kind>-run-<id>". */
  annotator: string;
  source: JudgementSource;
  /** The run that generated a synthetic judgement; null for people's and imports. */
  generatingRun: { id: number; kind: RunKind } | null;
  agreement: number | null;
  judgementsOnTask: number;
  secondsOnTask: number | null;
  createdAt: Date;
}

export interface PreferenceRow extends DerivedPair {
  judgement: JudgementView;
  chosen: CompletionView;
  rejected: CompletionView;
}

const TASK_BATCH = 500;

function loadBatch(db: Db, filters: PreferenceFilters, afterTaskId: number) {
  const taskRows = db
    .select({ id: tasks.id, kind: tasks.kind, promptId: tasks.promptId, completionIds: tasks.completionIds, isGold: tasks.isGold, goldAnswer: tasks.goldAnswer })
    .from(tasks)
    .where(and(
      eq(tasks.projectId, filters.projectId),
      gt(tasks.id, afterTaskId),
      gt(tasks.judgementCount, 0),
      filters.includeGold ? undefined : eq(tasks.isGold, false),
      filters.includeSynthetic ? undefined : eq(tasks.synthetic, false),
    ))
    .orderBy(asc(tasks.id))
    .limit(TASK_BATCH)
    .all();
  if (taskRows.length === 0) return null;
  const taskIds = taskRows.map((t) => t.id);
  const judgementRows = db
    .select({ j: judgements, pseudonym: users.pseudonym, runKind: trainingRuns.kind })
    .from(judgements)
    .leftJoin(users, eq(users.id, judgements.annotatorId))
    .leftJoin(trainingRuns, eq(trainingRuns.id, judgements.runId))
    .where(and(inArray(judgements.taskId, taskIds), isNull(judgements.undoneAt), filters.includeSynthetic ? undefined : ne(judgements.source, "synthetic")))
    .orderBy(asc(judgements.taskId), asc(judgements.id))
    .all();
  const promptRows = db.select().from(prompts).where(inArray(prompts.id, [...new Set(taskRows.map((t) => t.promptId))])).all();
  const completionIds = [...new Set(taskRows.flatMap((t) => t.completionIds).concat(
    judgementRows.flatMap((r) => (r.j.correctedCompletionId ? [r.j.correctedCompletionId] : [])),
  ))];
  const completionRows = db
    .select({ c: completions, policyName: policies.name, policyVersion: policies.version })
    .from(completions)
    .leftJoin(policies, eq(policies.id, completions.policyId))
    .where(inArray(completions.id, completionIds))
    .all();
  return { taskRows, judgementRows, promptRows, completionRows, lastTaskId: taskIds[taskIds.length - 1]! };
}

function toCompletionView(r: { c: typeof completions.$inferSelect; policyName: string | null; policyVersion: number | null }): CompletionView {
  return {
    id: r.c.id,
    text: r.c.text,
    messages: r.c.messages ?? null,
    policy: r.policyName === null ? null : `${r.policyName}@${r.policyVersion}`,
  };
}

function keepJudgement(filters: PreferenceFilters, j: typeof judgements.$inferSelect, completionIds: number[], policyOf: Map<number, number | null>): boolean {
  if (filters.since && j.createdAt < filters.since) return false;
  if (filters.until && j.createdAt > filters.until) return false;
  if (filters.policyId !== undefined && !completionIds.some((id) => policyOf.get(id) === filters.policyId)) return false;
  return true;
}

/** Every judgement of the project that passes the filters, with texts and provenance. */
export function* iterateJudgements(db: Db, filters: PreferenceFilters): Generator<JudgementView> {
  for (let after = 0, batch = loadBatch(db, filters, after); batch; batch = loadBatch(db, filters, after)) {
    after = batch.lastTaskId;
    const promptById = new Map(batch.promptRows.map((p) => [p.id, p]));
    const completionById = new Map(batch.completionRows.map((r) => [r.c.id, toCompletionView(r)]));
    const policyOf = new Map(batch.completionRows.map((r) => [r.c.id, r.c.policyId]));
    const rowsByTask = new Map<number, JudgementRow[]>();
    for (const r of batch.judgementRows) {
      const list = rowsByTask.get(r.j.taskId);
      if (list) list.push(r);
      else rowsByTask.set(r.j.taskId, [r]);
    }
    for (const task of batch.taskRows) {
      const rows = rowsByTask.get(task.id) ?? [];
      yield* taskJudgements(filters, task, rows, promptById, completionById, policyOf);
    }
  }
}

type TaskRow = NonNullable<ReturnType<typeof loadBatch>>["taskRows"][number];
type JudgementRow = NonNullable<ReturnType<typeof loadBatch>>["judgementRows"][number];

function* taskJudgements(
  filters: PreferenceFilters,
  task: TaskRow,
  rows: JudgementRow[],
  promptById: Map<number, typeof prompts.$inferSelect>,
  completionById: Map<number, CompletionView>,
  policyOf: Map<number, number | null>,
): Generator<JudgementView> {
  const derivations = rows.map(({ j }) => ({
    taskKind: task.kind,
    displayOrder: j.displayOrder,
    outcome: j.outcome,
    ranking: j.ranking,
    chosenCompletionId: j.chosenCompletionId,
    correctedCompletionId: j.correctedCompletionId,
  }));
  const agreement = taskAgreement(derivations.map(agreementLabel));
  if (filters.minAgreement !== undefined && filters.minAgreement > 0 && (agreement === null || agreement < filters.minAgreement)) return;
  const prompt = promptById.get(task.promptId)!;
  for (const [i, { j, pseudonym, runKind }] of rows.entries()) {
    if (!keepJudgement(filters, j, task.completionIds, policyOf)) continue;
    yield {
      judgementId: j.id,
      taskId: task.id,
      taskKind: task.kind,
      gold: task.isGold ? task.goldAnswer ?? null : null,
      prompt: { id: prompt.id, text: prompt.text, messages: prompt.messages ?? null },
      completions: completionById,
      derivation: derivations[i]!,
      strength: j.strength,
      rationale: j.rationale,
      annotator: pseudonym ?? (j.runId !== null ? `${runKind}-run-${j.runId}` : `import-${j.importId ?? "unknown"}`),
      source: j.source,
      generatingRun: j.runId !== null && runKind !== null ? { id: j.runId, kind: runKind } : null,
      agreement,
      judgementsOnTask: rows.length,
      secondsOnTask: j.secondsOnTask,
      createdAt: j.createdAt,
    };
  }
}

/** The preference pairs of every judgement that passes the filters. */
export function* iteratePreferenceRows(db: Db, filters: PreferenceFilters): Generator<PreferenceRow> {
  for (const judgement of iterateJudgements(db, filters)) {
    for (const pair of derivePairs(judgement.derivation)) {
      const chosen = judgement.completions.get(pair.chosenId);
      const rejected = judgement.completions.get(pair.rejectedId);
      if (chosen && rejected) yield { ...pair, judgement, chosen, rejected };
    }
  }
}
