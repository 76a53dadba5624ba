import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { assignments } from "../../db/schema";
import { fleissKappa, krippendorffAlpha, unitsFromRatings, type Rating } from "../../stats/agreement";
import { agreementMatrix } from "../../stats/agreement-matrix";
import { annotatorQuality, type JudgementRecord } from "../../stats/annotator-quality";
import { loadHumanJudgements, type HumanJudgement } from "./quality-data";

/**
 * The straightforward dashboard statistics, kept as the reference the optimized services
 * (quality.ts, quality-annotators.ts) are tested against: every judgement becomes an object,
 * then rating records, then the ratings-based functions of stats/. Same outputs, minus the
 * display names; 15–20 s at a million judgements, so never on a request path.
 */

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

function nominalLabel(j: HumanJudgement): string | null {
  if (j.kind === "pair" && (j.outcome === "tie" || j.outcome === "both_bad")) return j.outcome;
  return j.winnerIndex === null ? null : String.fromCharCode(65 + j.winnerIndex);
}

function signedStrength(j: HumanJudgement): number | null {
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

export function referenceProjectAgreement(db: Db, projectId: number, minShared = 5) {
  const list = loadHumanJudgements(db, projectId);
  const nominal = ratingsOf(list, nominalLabel);
  const nominalUnits = unitsFromRatings(nominal);
  const fleiss = nominalUnits.some((u) => u.values.length >= 2) ? fleissKappa(nominalUnits) : null;
  const matrix = agreementMatrix(nominal, { minShared });
  const kappas = matrix.pairs.map((p) => p.kappa).filter(Number.isFinite);
  return {
    judgements: list.length,
    tasksWithOverlap: nominalUnits.filter((u) => u.values.length >= 2).length,
    cohen: { meanKappa: kappas.length ? kappas.reduce((s, k) => s + k, 0) / kappas.length : null, pairs: kappas.length },
    fleiss: fleiss && { kappa: finite(fleiss.kappa), observedAgreement: fleiss.observedAgreement, expectedAgreement: fleiss.expectedAgreement, items: fleiss.items },
    krippendorffStrength: alphaSummary(ratingsOf(list, signedStrength)),
    krippendorffRanking: alphaSummary(rankRatings(list)),
    matrix: {
      annotators: matrix.raters.map(Number),
      pairs: matrix.pairs.map((p) => ({ a: Number(p.a), b: Number(p.b), shared: p.shared, percentAgreement: p.percentAgreement, kappa: finite(p.kappa) })),
    },
  };
}

/** Rankings and corrections are decisive answers ("left" in the stats module's terms). */
export function referenceAnnotatorReport(db: Db, projectId: number) {
  const records: JudgementRecord[] = loadHumanJudgements(db, projectId).map((j) => ({
    annotator: String(j.annotatorId),
    secondsOnTask: j.secondsOnTask ?? 0,
    outcome: j.kind === "pair" && j.outcome ? j.outcome : "left",
    ...(j.goldCorrect === null ? {} : { gold: { correct: j.goldCorrect } }),
  }));
  const skips = db
    .select({ annotatorId: assignments.annotatorId })
    .from(assignments)
    .where(and(eq(assignments.projectId, projectId), eq(assignments.status, "skipped")))
    .all();
  for (const s of skips) records.push({ annotator: String(s.annotatorId), secondsOnTask: 0, outcome: "skip" });
  const report = annotatorQuality(records);
  return { ...report, annotators: report.annotators.map(({ annotator, ...row }) => ({ id: Number(annotator), ...row })) };
}
