// How a cold-start run records what it generated: each [better, worse] pair becomes a pair task
// made complete, with one synthetic judgement (no annotator; the generating run; better shown
// left, outcome "left"). A complete task is never served, so no annotator sees synthetic work, and
// the one derivation (db/derive-pairs.ts) reads these judgements like any other, which is why
// export and training can include them, when asked, with nothing special-cased.
import { inArray } from "drizzle-orm";
import { createTasks } from "../../core/tasks";
import type { Db } from "../../db/client";
import { judgements, tasks } from "../../db/schema";
import type { RunContext } from "../worker/run-context";
import type { SyntheticPairing } from "./config";
import { rankedPairs } from "./pairs";

export interface SyntheticPair {
  /** Completion ids of one prompt. */
  better: number;
  worse: number;
  /** Why the run prefers `better`, stored as the judgement's rationale ("D-REX: ε 0 ≻ ε 0.5"). */
  rationale: string;
}

export interface SyntheticWrite {
  judgements: number;
  /** Pairs a synthetic task already held (a repeated or resumed run): not judged twice. */
  duplicates: number;
}

/** Writes one prompt's pairs; call inside the transaction that wrote their completions. */
export function writeSyntheticPairs(db: Db, projectId: number, runId: number, promptId: number, pairs: SyntheticPair[]): SyntheticWrite {
  const specs = pairs.map((p) => ({ promptId, completionIds: [p.better, p.worse], requiredJudgements: 1, synthetic: true }));
  const { created, duplicates } = createTasks(db, projectId, "pair", specs);
  const kept = pairs.filter((_, i) => !duplicates.includes(specs[i]!));
  created.forEach((taskId, i) => {
    const { better, worse, rationale } = kept[i]!;
    db.insert(judgements).values({ taskId, source: "synthetic", runId, outcome: "left", displayOrder: [better, worse], rationale }).run();
  });
  if (created.length > 0) db.update(tasks).set({ status: "complete", judgementCount: 1 }).where(inArray(tasks.id, created)).run();
  return { judgements: created.length, duplicates: duplicates.length };
}

/** A completion in a ranking: its id, its text (pairs that read the same are left out) and how the rationale names its rank. */
export interface RankedCompletion { id: number; text: string; rank: string }

/**
 * One prompt's ranking (groups best first) as synthetic judgements: the pairs `pairing` asks for,
 * less the ones whose texts read the same (neither is better). Call inside the prompt's transaction.
 */
export function writeRankedGroups(db: Db, runId: number, projectId: number, promptId: number, groups: RankedCompletion[][], pairing: SyntheticPairing, method: string): SyntheticWrite & { identical: number } {
  const pairs = rankedPairs(groups, pairing);
  const distinct = pairs.filter(([better, worse]) => better.text !== worse.text);
  const synthetic = distinct.map(([better, worse]) => ({ better: better.id, worse: worse.id, rationale: `${method}: ${better.rank} ≻ ${worse.rank}` }));
  return { ...writeSyntheticPairs(db, projectId, runId, promptId, synthetic), identical: pairs.length - distinct.length };
}

/** What a cold-start run made so far; reported per prompt and as the run's artifact at the end. */
export interface SyntheticSummary {
  prompts: number;
  judgements: number;
  /** Pairs left out because both texts read the same: neither is better. */
  identical: number;
  duplicates: number;
}

export const emptySummary = (): SyntheticSummary => ({ prompts: 0, judgements: 0, identical: 0, duplicates: 0 });

/** Adds one prompt's outcome to the summary and reports it as the run's next step. */
export function reportPrompt(ctx: RunContext, s: SyntheticSummary, w: SyntheticWrite & { identical: number }, message: string): void {
  s.prompts++;
  s.judgements += w.judgements;
  s.identical += w.identical;
  s.duplicates += w.duplicates;
  ctx.progress({ step: s.prompts, metrics: { synthetic_judgements: s.judgements, identical_skipped: s.identical, duplicates_skipped: s.duplicates }, message });
}

/** The run's artifact: how many synthetic judgements it made in which project. */
export function recordSummary(ctx: RunContext, projectId: number, s: SyntheticSummary, details: Record<string, unknown>): void {
  const where = `${s.judgements} synthetic ${ctx.run.kind} judgements in project ${projectId}`;
  ctx.artifact("samples", where, { syntheticJudgements: s.judgements, prompts: s.prompts, identicalSkipped: s.identical, duplicatesSkipped: s.duplicates, ...details }, s.prompts);
}
