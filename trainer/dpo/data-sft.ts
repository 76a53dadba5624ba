/**
 * Completion-only SFT data from a project: what people wrote or picked as the better answer, and
 * demonstrations that came in as imported text. Part of trainer/dpo/data.ts (re-exported there).
 */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { iterateJudgements, type JudgementView } from "../../db/preference-rows";
import { completions, prompts, tasks } from "../../db/schema";
import { dataFilters, type PolicyDataOptions } from "./data";

export type SftSource = "corrections" | "chosen" | "demonstrations";

export interface SftExample {
  prompt: string;
  completion: string;
  source: SftSource;
  /** The judgement it came from; null for demonstrations. */
  judgementId: number | null;
}

/**
 * Completion ids a judgement picked as best: a pair's winner, a ranking's first group, a
 * correction's choice. For a gold item, its known answer's best instead (as its KTO labels): a
 * wrong answer to a test question is not an answer to imitate.
 */
function chosenIds(j: JudgementView): number[] {
  if (j.gold) return "winner" in j.gold ? [j.gold.winner] : (j.gold.ranking[0] ?? []);
  const d = j.derivation;
  if (j.taskKind === "rank") return (d.ranking ?? []).length >= 2 ? d.ranking![0]! : [];
  if (j.taskKind === "correction") return d.chosenCompletionId === null ? [] : [d.chosenCompletionId];
  const [left, right] = d.displayOrder;
  const winner = d.outcome === "left" ? left : d.outcome === "right" ? right : undefined;
  return winner === undefined ? [] : [winner];
}

/**
 * A correction whose text was edited gives its edited text; an unchanged one gives nothing here,
 * nor does the edit of a gold item's wrong choice (it improves an answer known not to be best).
 */
function correctedId(j: JudgementView): number | null {
  const { correctedCompletionId: edited, chosenCompletionId: chosen } = j.derivation;
  if (j.taskKind !== "correction" || edited === null || edited === chosen) return null;
  if (j.gold && "winner" in j.gold && j.gold.winner !== chosen) return null;
  return edited;
}

function fromJudgements(db: Db, projectId: number, o: PolicyDataOptions): Record<"corrections" | "chosen", SftExample[]> {
  const out = { corrections: [] as SftExample[], chosen: [] as SftExample[] };
  for (const j of iterateJudgements(db, dataFilters(projectId, o))) {
    const example = (id: number, source: SftSource): SftExample => ({ prompt: j.prompt.text, completion: j.completions.get(id)!.text, source, judgementId: j.judgementId });
    const edited = correctedId(j);
    if (edited !== null) out.corrections.push(example(edited, "corrections"));
    for (const id of chosenIds(j)) out.chosen.push(example(id, "chosen"));
  }
  return out;
}

/**
 * Demonstrations: imported completions (origin "import") that stand in no task. An import row
 * `{"prompt", "completions": [one text]}` stores exactly that (a prompt with one completion makes
 * no task); imported preference pairs and completion sets of 2+ are tasks and count elsewhere.
 * Imported text is a demonstration whatever gold setting is asked for: it belongs to no task.
 */
function demonstrations(db: Db, projectId: number): SftExample[] {
  const inTasks = new Set(db.select({ ids: tasks.completionIds }).from(tasks).where(eq(tasks.projectId, projectId)).all().flatMap((t) => t.ids));
  return db
    .select({ id: completions.id, completion: completions.text, prompt: prompts.text })
    .from(completions)
    .innerJoin(prompts, eq(prompts.id, completions.promptId))
    .where(and(eq(prompts.projectId, projectId), eq(completions.origin, "import")))
    .orderBy(asc(completions.id))
    .all()
    .filter((r) => !inTasks.has(r.id))
    .map((r) => ({ prompt: r.prompt, completion: r.completion, source: "demonstrations", judgementId: null }));
}

/**
 * Completion-only SFT examples of the requested sources: corrected texts (correction tasks whose
 * text was edited), chosen answers (pair winners, every member of a ranking's first group, the
 * completion a correction chose; a gold item's known best) and demonstrations (above). Deduplicated by (prompt, completion):
 * the first one kept, sources taken in the order corrections, chosen, demonstrations.
 */
export function loadSftExamples(db: Db, projectId: number, o: PolicyDataOptions & { sources: SftSource[] }): SftExample[] {
  const wants = (s: SftSource) => o.sources.includes(s);
  const judged = wants("corrections") || wants("chosen") ? fromJudgements(db, projectId, o) : { corrections: [], chosen: [] };
  const candidates = [
    ...(wants("corrections") ? judged.corrections : []),
    ...(wants("chosen") ? judged.chosen : []),
    ...(wants("demonstrations") ? demonstrations(db, projectId) : []),
  ];
  const seen = new Set<string>();
  return candidates.filter((e) => {
    const key = JSON.stringify([e.prompt, e.completion]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
