import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { PairOutcome, TaskKind } from "../../db/enums";
import { users } from "../../db/schema";

/**
 * The human judgements of a project (undone ones left out, imports left out: they have no
 * annotator), one object each, in task then judgement order: the readable shape the reference
 * statistics (quality-reference.ts) read. The dashboard services never build these (a million
 * objects take seconds); they scan packed integers instead (quality-scan.ts). Which canonical
 * completion won is computed in SQL (json_extract), and only rank rows carry JSON to parse.
 */
export interface HumanJudgement {
  taskId: number;
  annotatorId: number;
  kind: TaskKind;
  outcome: PairOutcome | null;
  strength: number | null;
  /**
   * Position, in the task's canonical completion order (the same for every annotator), of the
   * completion this answer preferred: pair left/right and correction choice; null otherwise.
   */
  winnerIndex: number | null;
  /** Rank tasks: completion ids grouped best first. */
  ranking: number[][] | null;
  secondsOnTask: number | null;
  goldCorrect: boolean | null;
}

type RawRow = [number, number, TaskKind, PairOutcome | null, number | null, number | null, string | null, number | null, number | null];

export function loadHumanJudgements(db: Db, projectId: number): HumanJudgement[] {
  const query = sql`
    select j.task_id, j.annotator_id, t.kind, j.outcome, j.strength,
      case
        when t.kind = 'pair' and j.outcome in ('left', 'right') then
          case when json_extract(j.display_order, case j.outcome when 'left' then '$[0]' else '$[1]' end)
                    = json_extract(t.completion_ids, '$[0]') then 0 else 1 end
        when t.kind = 'correction' then
          (select cast(key as integer) from json_each(t.completion_ids) where value = j.chosen_completion_id)
      end,
      case when t.kind = 'rank' then j.ranking end,
      j.seconds_on_task, j.gold_correct
    from judgements j join tasks t on t.id = j.task_id
    where t.project_id = ${projectId} and j.source = 'human' and j.undone_at is null and j.annotator_id is not null
    order by t.id, j.id`;
  return db.values<RawRow>(query).map(([taskId, annotatorId, kind, outcome, strength, winnerIndex, ranking, secondsOnTask, gold]) => ({
    taskId,
    annotatorId,
    kind,
    outcome,
    strength,
    winnerIndex,
    ranking: ranking === null ? null : (JSON.parse(ranking) as number[][]),
    secondsOnTask,
    goldCorrect: gold === null ? null : gold === 1,
  }));
}

/** Rank judgements only (same filter and order as above): task and its ranking, for ranking agreement. */
export function loadRankings(db: Db, projectId: number): Array<{ taskId: number; annotatorId: number; ranking: number[][] }> {
  const rows = db.values<[number, number, string]>(sql`
    select j.task_id, j.annotator_id, j.ranking
    from judgements j join tasks t on t.id = j.task_id
    where t.project_id = ${projectId} and t.kind = 'rank' and j.ranking is not null and j.source = 'human'
      and j.undone_at is null and j.annotator_id is not null
    order by t.id, j.id`);
  return rows.map(([taskId, annotatorId, ranking]) => ({ taskId, annotatorId, ranking: JSON.parse(ranking) as number[][] }));
}

/** Names for annotator ids, for the researcher's tables. */
export function annotatorNames(db: Db): Map<number, { username: string; pseudonym: string }> {
  const rows = db.select({ id: users.id, username: users.username, pseudonym: users.pseudonym }).from(users).all();
  return new Map(rows.map((r) => [r.id, { username: r.username, pseudonym: r.pseudonym }]));
}
