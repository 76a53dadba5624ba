import type { Db } from "../../db/client";
import { annotatorQualityFromTallies, type AnnotatorTally } from "../../stats/annotator-quality";
import { annotatorNames } from "./quality-data";

/**
 * Per-annotator quality (stats/annotator-quality.ts defines every number). Rankings and
 * corrections are decisive answers: they count as judgements, never as ties or both-bad.
 * Skips come from skipped assignments. SQLite reduces each judgement to (annotator, seconds,
 * one small code) and JS only counts and collects seconds per annotator: no record objects
 * for a million judgements (quality-reference.ts keeps the record-based version the tests
 * compare against).
 */

// Two single-column passes over the same rows in the same order (plucked numbers, no row arrays):
// seconds, and annotator × 9 + code with code = outcome × 3 + gold (outcome 0 decisive, 1 tie,
// 2 both-bad; gold 0 none, 1 wrong, 2 right).
const FROM_SQL = `from judgements j join tasks t on t.id = j.task_id
  where t.project_id = ? and j.source = 'human' and j.undone_at is null and j.annotator_id is not null order by t.id, j.id`;
const SECONDS_SQL = `select coalesce(j.seconds_on_task, 0) ${FROM_SQL}`;
const CODES_SQL = `select j.annotator_id * 9
    + (case when t.kind = 'pair' and j.outcome = 'tie' then 3 when t.kind = 'pair' and j.outcome = 'both_bad' then 6 else 0 end)
    + (case when j.gold_correct is null then 0 when j.gold_correct = 1 then 2 else 1 end) ${FROM_SQL}`;
const SKIPS_SQL = `select annotator_id, count(*) from assignments where project_id = ? and status = 'skipped' group by annotator_id`;

interface Tally extends Omit<AnnotatorTally, "seconds"> {
  seconds: number[];
}

function talliesOf(db: Db, projectId: number): Map<number, Tally> {
  const tallies = new Map<number, Tally>();
  const tallyOf = (id: number) => {
    let t = tallies.get(id);
    if (!t) tallies.set(id, (t = { annotator: String(id), seconds: [], ties: 0, bothBad: 0, goldJudged: 0, goldCorrect: 0, skips: 0 }));
    return t;
  };
  const [seconds, codes] = db.$client.transaction(() => [SECONDS_SQL, CODES_SQL].map((q) => db.$client.prepare(q).pluck().all(projectId) as number[]))();
  codes.forEach((packed, i) => {
    const code = packed % 9;
    const t = tallyOf((packed - code) / 9);
    t.seconds.push(seconds[i]!);
    if (code >= 6) t.bothBad += 1;
    else if (code >= 3) t.ties += 1;
    if (code % 3 !== 0) (t.goldJudged += 1), (t.goldCorrect += code % 3 === 2 ? 1 : 0);
  });
  for (const [annotatorId, skips] of db.$client.prepare(SKIPS_SQL).raw().iterate(projectId) as Iterable<[number, number]>)
    tallyOf(annotatorId).skips += skips;
  return tallies;
}

export function annotatorReport(db: Db, projectId: number) {
  const tallies = [...talliesOf(db, projectId).values()].map((t) => ({ ...t, seconds: Float64Array.from(t.seconds) }));
  const report = annotatorQualityFromTallies(tallies);
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
