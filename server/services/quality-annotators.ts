import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { assignments } from "../../db/schema";
import { annotatorQuality, type JudgementOutcome, type JudgementRecord } from "../../stats/annotator-quality";
import { annotatorNames, loadHumanJudgements, type HumanJudgement } from "./quality-data";

/**
 * Per-annotator quality (stats/annotator-quality.ts defines every number). Rankings and
 * corrections are decisive answers: they count as judgements, never as ties or both-bad; the
 * stats module's "left" stands for "decisive" here. Skips come from skipped assignments.
 */

function outcomeOf(j: HumanJudgement): JudgementOutcome {
  return j.kind === "pair" && j.outcome ? j.outcome : "left";
}

export function annotatorReport(db: Db, projectId: number) {
  const records: JudgementRecord[] = loadHumanJudgements(db, projectId).map((j) => ({
    annotator: String(j.annotatorId),
    secondsOnTask: j.secondsOnTask ?? 0,
    outcome: outcomeOf(j),
    ...(j.goldCorrect === null ? {} : { gold: { correct: j.goldCorrect } }),
  }));
  const skips = db
    .select({ annotatorId: assignments.annotatorId })
    .from(assignments)
    .where(and(eq(assignments.projectId, projectId), eq(assignments.status, "skipped")))
    .all();
  for (const s of skips) records.push({ annotator: String(s.annotatorId), secondsOnTask: 0, outcome: "skip" });
  const report = annotatorQuality(records);
  const names = annotatorNames(db);
  return {
    projectMedianSeconds: report.projectMedianSeconds,
    fastThresholdSeconds: report.fastThresholdSeconds,
    annotators: report.annotators.map(({ annotator, ...row }) => {
      const id = Number(annotator);
      return { id, username: names.get(id)?.username ?? "?", pseudonym: names.get(id)?.pseudonym ?? "?", ...row };
    }),
  };
}

export type AnnotatorReport = ReturnType<typeof annotatorReport>;
