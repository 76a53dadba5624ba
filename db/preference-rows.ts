import type { Db } from "./client";
import { agreementLabel, derivePairs, taskAgreement, type DerivedPair, type JudgementForDerivation } from "./derive-pairs";
import type { JudgementSource, RunKind } from "./enums";
import { loadBatch, type JudgementRow, type PromptView, type TaskRow } from "./preference-batch";
import type { ChatMessage, GoldAnswer } from "./schema";

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

function keepJudgement(filters: PreferenceFilters, j: JudgementRow, completionIds: number[], policyOf: Map<number, number | null>): boolean {
  if (filters.since && j.createdAt < filters.since) return false;
  if (filters.until && j.createdAt > filters.until) return false;
  if (filters.policyId !== undefined && !completionIds.some((id) => policyOf.get(id) === filters.policyId)) return false;
  return true;
}

/** Every judgement of the project that passes the filters, with texts and provenance. */
export function* iterateJudgements(db: Db, filters: PreferenceFilters): Generator<JudgementView> {
  for (let after = 0, batch = loadBatch(db, filters, after); batch; batch = loadBatch(db, filters, after)) {
    after = batch.lastTaskId;
    const promptById = new Map(batch.prompts.map((p) => [p.id, p]));
    const completionById = new Map(batch.completions.map((c) => [c.id, c.view]));
    const policyOf = new Map(batch.completions.map((c) => [c.id, c.policyId]));
    const rowsByTask = new Map<number, JudgementRow[]>();
    for (const r of batch.judgementRows) {
      const list = rowsByTask.get(r.taskId);
      if (list) list.push(r);
      else rowsByTask.set(r.taskId, [r]);
    }
    for (const task of batch.taskRows) {
      const rows = rowsByTask.get(task.id) ?? [];
      yield* taskJudgements(filters, task, rows, promptById, completionById, policyOf);
    }
  }
}

function* taskJudgements(
  filters: PreferenceFilters,
  task: TaskRow,
  rows: JudgementRow[],
  promptById: Map<number, PromptView>,
  completionById: Map<number, CompletionView>,
  policyOf: Map<number, number | null>,
): Generator<JudgementView> {
  const derivations = rows.map((j) => ({
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
  for (const [i, j] of rows.entries()) {
    if (!keepJudgement(filters, j, task.completionIds, policyOf)) continue;
    yield {
      judgementId: j.id,
      taskId: task.id,
      taskKind: task.kind,
      gold: task.isGold ? task.goldAnswer ?? null : null,
      prompt,
      completions: completionById,
      derivation: derivations[i]!,
      strength: j.strength,
      rationale: j.rationale,
      annotator: j.pseudonym ?? (j.runId !== null ? `${j.runKind}-run-${j.runId}` : `import-${j.importId ?? "unknown"}`),
      source: j.source,
      generatingRun: j.runId !== null && j.runKind !== null ? { id: j.runId, kind: j.runKind } : null,
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
      // derivePairs made `pair` for this call alone; extending it costs less than a spread copy (export/provenance.ts).
      if (chosen && rejected) yield Object.assign(pair, { judgement, chosen, rejected });
    }
  }
}
