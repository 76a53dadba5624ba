import type { Db } from "../../db/client";

/**
 * One pass over a project's human judgements for the agreement statistics, in the same order
 * and under the same filter as loadHumanJudgements (task id, then judgement id: free with the
 * tasks (project_id, id) and judgements (task_id) indexes), with each judgement reduced in SQL
 * to small integers. A million rows as arrays cost more than SQLite's scan itself, so the
 * fast path packs task, annotator and the two answers into ONE integer per row (`pluck`):
 * V8 then holds a flat array of numbers instead of a million row objects.
 */

/** Nominal answer: 0 none, 1 both-bad, 2 tie, 3 + i = the task's canonical completion i won. */
export type LabelCode = number;

export type AgreementVisitor = (taskId: number, annotatorId: number, label: LabelCode, signed: number | null) => void;

/**
 * Pair left/right: canonical position (0/1) of the completion shown on the chosen side. Shown in
 * canonical order (the JSON texts are equal) it is just "right"; a task never shows one
 * completion twice (tasks service), so this skips two JSON parses without changing the answer.
 */
const pairWinnerSql = `case when j.display_order = t.completion_ids then j.outcome = 'right'
  when json_extract(j.display_order, case j.outcome when 'left' then '$[0]' else '$[1]' end)
    = json_extract(t.completion_ids, '$[0]') then 0 else 1 end`;
/** Correction: canonical position of the chosen completion (null when it is not in the task). */
const correctionWinnerSql = `(select cast(key as integer) from json_each(t.completion_ids) where value = j.chosen_completion_id)`;
const winnerSql = `case when t.kind = 'pair' and j.outcome in ('left', 'right') then ${pairWinnerSql}
  when t.kind = 'correction' then ${correctionWinnerSql} end`;
/** The nominal label code of a judgement `j` of task `t` (exported for agreement per day, quality-over-time.ts). */
export const labelSql = `case when t.kind = 'pair' and j.outcome = 'both_bad' then 1 when t.kind = 'pair' and j.outcome = 'tie' then 2
  else coalesce(3 + ${winnerSql}, 0) end`;
/** Pair tasks: +strength when completion 0 won, −strength when 1 won, 0 for a tie, else null. */
const signedSql = `case when t.kind <> 'pair' then null when j.outcome = 'tie' then 0
  when j.outcome in ('left', 'right') and j.strength is not null then
    case ${winnerSql} when 0 then j.strength when 1 then -j.strength end end`;

// Packing: payload = label × 128 + signed code (0 null, 1..125 = signed + 63); label 63 or
// signed code 127 marks a value out of range, which sends the whole scan down the unpacked path.
// Label and signed strength are both linear in the winner w (label 3 + w, signed s·(1 − 2w)), so
// the payload names w once: SQLite evaluates each JSON lookup once per row, not once per use.
const SIGNED_SLOTS = 128;
const PAYLOAD = 64 * SIGNED_SLOTS;
const payloadSql = `case
  when t.kind = 'pair' then case
    when j.outcome = 'both_bad' then 1 * 128
    when j.outcome = 'tie' then 2 * 128 + 63
    when j.outcome in ('left', 'right') then case
      when j.strength is null then (3 + ${pairWinnerSql}) * 128
      when j.strength between -62 and 62 then 3 * 128 + 63 + j.strength + ${pairWinnerSql} * (128 - 2 * j.strength)
      else 3 * 128 + 127 end
    else 0 end
  when t.kind = 'correction' then coalesce(min(3 + ${correctionWinnerSql}, 63) * 128, 0)
  else 0 end`;

/** One parameter: the project id. */
const fromSql = `from judgements j join tasks t on t.id = j.task_id
  where t.project_id = ? and j.source = 'human' and j.undone_at is null and j.annotator_id is not null`;

function packedRows(db: Db, projectId: number, annotatorSlots: number): number[] {
  const packed = `select (j.task_id * ${annotatorSlots} + j.annotator_id) * ${PAYLOAD} + ${payloadSql} ${fromSql} order by t.id, j.id`;
  return db.$client.prepare(packed).pluck().all(projectId) as number[];
}

function visitPacked(rows: number[], annotatorSlots: number, visit: AgreementVisitor): boolean {
  for (const row of rows) {
    const payload = row % PAYLOAD;
    if (payload % SIGNED_SLOTS === 127 || payload >= 63 * SIGNED_SLOTS) return false;
  }
  for (const row of rows) {
    const payload = row % PAYLOAD;
    const ids = (row - payload) / PAYLOAD;
    const annotator = ids % annotatorSlots;
    const code = payload % SIGNED_SLOTS;
    visit((ids - annotator) / annotatorSlots, annotator, (payload - code) / SIGNED_SLOTS, code === 0 ? null : code - 63);
  }
  return true;
}

function visitColumns(db: Db, projectId: number, visit: AgreementVisitor): number {
  const query = `select j.task_id, j.annotator_id, ${labelSql}, ${signedSql} ${fromSql} order by t.id, j.id`;
  let rows = 0;
  for (const r of db.$client.prepare(query).raw().iterate(projectId) as Iterable<[number, number, number, number | null]>) {
    visit(r[0], r[1], r[2], r[3]);
    rows++;
  }
  return rows;
}

/**
 * Calls `visit` once per judgement, task by task; returns how many there were. `packed: false`
 * forces the unpacked rows (what ids too large to pack, or out-of-range values, fall back to);
 * the tests run both paths against the reference.
 */
export function scanAgreementRows(db: Db, projectId: number, visit: AgreementVisitor, options: { packed?: boolean } = {}): number {
  const ids = db.$client.prepare("select (select max(id) from tasks) as task, (select max(id) from users) as annotator").get() as {
    task: number | null;
    annotator: number | null;
  };
  const annotatorSlots = (ids.annotator ?? 0) + 1;
  const fits = ((ids.task ?? 0) + 1) * annotatorSlots * PAYLOAD <= Number.MAX_SAFE_INTEGER;
  if (options.packed !== false && fits) {
    const rows = packedRows(db, projectId, annotatorSlots);
    if (visitPacked(rows, annotatorSlots, visit)) return rows.length;
  }
  return visitColumns(db, projectId, visit);
}
