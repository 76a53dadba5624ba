/**
 * What policy training (DPO and its listwise form, KTO, SFT on corrections) reads from a project's
 * judgements: texts, not tokens (the trainer tokenises). Everything comes through the one
 * derivation export uses (db/preference-rows.ts, db/kto-labels.ts), so an exported file is what a
 * run trained on. Loaders return empty data for an empty project; the executor decides the error.
 *
 * Gold tasks are left out unless `includeGold`, synthetic judgements unless `includeSynthetic`. When included, pairs and rankings take their
 * judgements as the annotators gave them (the derivation, as export writes it, wrong answers too);
 * single-answer data (KTO labels, SFT's chosen answers) takes a gold item's known answer instead.
 */
import type { Db } from "../../db/client";
import type { PairDerivation } from "../../db/derive-pairs";
import { ktoLabels } from "../../db/kto-labels";
import { iterateJudgements, iteratePreferenceRows, type JudgementView, type PreferenceFilters } from "../../db/preference-rows";
import { marginForStrength } from "../reward/config";

export interface PolicyDataOptions {
  includeGold: boolean;
  /** Synthetic judgements (drex, trex runs) too; absent or false: people's and imported ones only. */
  includeSynthetic?: boolean;
  /** Margin per strength 1..3, as trainer/reward/config.ts marginForStrength; absent: no margin. */
  marginByStrength?: [number, number, number];
}

/** The derivation's filters for a run: its project, and the judgements its config chose to include. */
export const dataFilters = (projectId: number, o: PolicyDataOptions): PreferenceFilters => ({ projectId, includeGold: o.includeGold, includeSynthetic: o.includeSynthetic });

export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  /** From the derivation: 1/C(N,2) for a ranking's pairs, 1 otherwise. */
  weight: number;
  margin: number;
  judgementId: number;
  derivation: PairDerivation;
}

/**
 * Strict preferences only (relation "preferred"): a tie or a both-bad pair says neither answer is
 * the better one, which is what every DPO-family loss needs, so they are left out. Weights come
 * from the derivation (ranking pairs 1/C(N,2)); a correction gives edited ≻ chosen and chosen ≻
 * each other completion.
 */
export function loadPreferencePairs(db: Db, projectId: number, o: PolicyDataOptions): PreferencePair[] {
  const pairs: PreferencePair[] = [];
  for (const row of iteratePreferenceRows(db, dataFilters(projectId, o))) {
    if (row.relation !== "preferred") continue;
    pairs.push({
      prompt: row.judgement.prompt.text,
      chosen: row.chosen.text,
      rejected: row.rejected.text,
      weight: row.weight,
      margin: o.marginByStrength ? marginForStrength(row.judgement.strength, { marginByStrength: o.marginByStrength }) : 0,
      judgementId: row.judgement.judgementId,
      derivation: row.derivation,
    });
  }
  return pairs;
}

export interface RankedList {
  prompt: string;
  /** Best first. */
  ranked: string[];
  judgementId: number;
}

/** A judgement's strict order best first, "tied" for a ranking with a tied group, or null. */
function strictOrder(j: JudgementView): number[] | "tied" | null {
  const d = j.derivation;
  if (j.taskKind === "rank") {
    const groups = d.ranking ?? [];
    if (groups.some((g) => g.length > 1)) return "tied";
    return groups.length >= 2 ? groups.flat() : null;
  }
  if (j.taskKind !== "pair") return null;
  const [left, right] = d.displayOrder;
  if (left === undefined || right === undefined) return null;
  return d.outcome === "left" ? [left, right] : d.outcome === "right" ? [right, left] : null;
}

/**
 * Strict rankings for listwise DPO: rank tasks whose groups are all single completions (a
 * partial ranking keeps its ranked completions), and pair tasks with a winner as rankings of 2,
 * so listwise DPO with N = 2 is pairwise DPO on the same data. A ranking with any tied group is
 * skipped, not broken up (which order would be made up), and counted in `skippedWithTies`.
 * Pair ties, both-bad answers and correction tasks are not rankings and are not counted there.
 */
export function loadRankings(db: Db, projectId: number, o: PolicyDataOptions): { lists: RankedList[]; skippedWithTies: number } {
  const lists: RankedList[] = [];
  let skippedWithTies = 0;
  for (const j of iterateJudgements(db, dataFilters(projectId, o))) {
    const order = strictOrder(j);
    if (order === "tied") skippedWithTies++;
    else if (order) lists.push({ prompt: j.prompt.text, ranked: order.map((id) => j.completions.get(id)!.text), judgementId: j.judgementId });
  }
  return { lists, skippedWithTies };
}

export interface KtoExample {
  prompt: string;
  completion: string;
  desirable: boolean;
  judgementId: number;
}

/** Unpaired examples for KTO, labelled by db/kto-labels.ts (the `kto` export's labels). */
export function loadKtoExamples(db: Db, projectId: number, o: PolicyDataOptions): KtoExample[] {
  const examples: KtoExample[] = [];
  for (const j of iterateJudgements(db, dataFilters(projectId, o)))
    for (const { completionId, desirable } of ktoLabels(j))
      examples.push({ prompt: j.prompt.text, completion: j.completions.get(completionId)!.text, desirable, judgementId: j.judgementId });
  return examples;
}

export { loadSftExamples, type SftExample, type SftSource } from "./data-sft";
export { describePolicyData, type PolicyDataSummary } from "./data-describe";
