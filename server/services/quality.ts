import type { Db } from "../../db/client";
import { fleissKappa, krippendorffAlpha, unitsFromRatings, type Rating } from "../../stats/agreement";
import { annotatorNames, loadHumanJudgements, type HumanJudgement } from "./quality-data";
import { pairwiseAgreement } from "./quality-matrix";

/**
 * Agreement of a project's annotators. Labels are taken relative to each task's canonical
 * completion order, never to what one annotator saw on the left, so annotators who saw
 * different display orders are compared on the same thing:
 * - nominal label (pair and correction tasks): "A", "B", … = which completion won (canonical
 *   position), or "tie" / "both_bad" (both-bad is its own answer, never a tie);
 * - strength-signed (pair tasks): +strength when A wins, −strength when B wins, 0 for a tie; on
 *   the ordinal scale −3..3 (both-bad is not on it and is left out);
 * - rankings: each (task, completion) is a unit whose values are the rank positions annotators
 *   gave it (0 = best), on an ordinal scale.
 * Statistics that are undefined (no overlap, no variation) are null, not NaN.
 */

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
const letter = (i: number) => String.fromCharCode(65 + i);

export function nominalLabel(j: HumanJudgement): string | null {
  if (j.kind === "pair" && (j.outcome === "tie" || j.outcome === "both_bad")) return j.outcome;
  return j.winnerIndex === null ? null : letter(j.winnerIndex);
}

export function signedStrength(j: HumanJudgement): number | null {
  if (j.kind !== "pair" || j.outcome === "both_bad" || j.outcome === null) return null;
  if (j.outcome === "tie") return 0;
  if (j.winnerIndex === null || j.strength === null) return null;
  return j.winnerIndex === 0 ? j.strength : -j.strength;
}

function rankRatings(list: HumanJudgement[]): Rating[] {
  return list.flatMap((j) =>
    (j.kind === "rank" && j.ranking ? j.ranking : []).flatMap((group, position) =>
      group.map((id) => ({ item: `${j.taskId}:${id}`, rater: String(j.annotatorId), value: position })),
    ),
  );
}

function ratingsOf(list: HumanJudgement[], value: (j: HumanJudgement) => string | number | null): Rating[] {
  return list.flatMap((j) => {
    const v = value(j);
    return v === null ? [] : [{ item: String(j.taskId), rater: String(j.annotatorId), value: v }];
  });
}

function alphaSummary(ratings: Rating[]) {
  const units = unitsFromRatings(ratings);
  if (!units.some((u) => u.values.length >= 2)) return null;
  const r = krippendorffAlpha(units, "ordinal");
  return { alpha: finite(r.alpha), units: r.units, pairableValues: r.pairableValues };
}

export function projectAgreement(db: Db, projectId: number, options: { minShared?: number } = {}) {
  const list = loadHumanJudgements(db, projectId);
  const nominal = ratingsOf(list, nominalLabel);
  const nominalUnits = unitsFromRatings(nominal);
  const fleiss = nominalUnits.some((u) => u.values.length >= 2) ? fleissKappa(nominalUnits) : null;
  const matrix = pairwiseAgreement(nominal, options.minShared ?? 5);
  const kappas = matrix.pairs.map((p) => p.kappa).filter(Number.isFinite);
  const names = annotatorNames(db);
  const who = (rater: string) => ({ id: Number(rater), username: names.get(Number(rater))?.username ?? "?" });
  return {
    judgements: list.length,
    tasksWithOverlap: nominalUnits.filter((u) => u.values.length >= 2).length,
    /** Mean Cohen's kappa over annotator pairs sharing at least minShared items (Light's kappa). */
    cohen: { meanKappa: kappas.length ? kappas.reduce((s, k) => s + k, 0) / kappas.length : null, pairs: kappas.length },
    fleiss: fleiss && { kappa: finite(fleiss.kappa), observedAgreement: fleiss.observedAgreement, expectedAgreement: fleiss.expectedAgreement, items: fleiss.items },
    krippendorffStrength: alphaSummary(ratingsOf(list, signedStrength)),
    krippendorffRanking: alphaSummary(rankRatings(list)),
    matrix: {
      annotators: matrix.raters.map(who),
      pairs: matrix.pairs.map((p) => ({ a: Number(p.a), b: Number(p.b), shared: p.shared, percentAgreement: p.percentAgreement, kappa: finite(p.kappa) })),
    },
  };
}

export type ProjectAgreement = ReturnType<typeof projectAgreement>;
