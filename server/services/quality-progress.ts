import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { TASK_STATUSES, type TaskStatus } from "../../db/enums";
import { syntheticCounts } from "./synthetic-counts";

/** Where a project stands: tasks by status, judgements still needed, judgements per UTC day (people's; synthetic ones counted apart). */
export function projectProgress(db: Db, projectId: number) {
  const byStatus = db.all<{ status: TaskStatus; n: number; needed: number; gold: number }>(sql`
    select status, count(*) as n, sum(case when is_gold = 0 then max(required_judgements - judgement_count, 0) else 0 end) as needed,
           sum(is_gold) as gold
    from tasks where project_id = ${projectId} and synthetic = 0 group by status`);
  const tasks = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const row of byStatus) tasks[row.status] = row.n;
  // Days as integers (ms since the epoch / 86,400,000, exact for times after 1970): a million
  // integer divisions are cheaper than a million strftime calls; only the ~hundred groups are
  // formatted, here in JS, to the same YYYY-MM-DD.
  const perDay = db
    .all<{ day: number; judgements: number }>(sql`
      select j.created_at / 86400000 as day, count(*) as judgements
      from judgements j join tasks t on t.id = j.task_id
      where t.project_id = ${projectId} and j.source = 'human' and j.undone_at is null
      group by day order by day`)
    .map(({ day, judgements }) => ({ day: new Date(day * 86_400_000).toISOString().slice(0, 10), judgements }));
  const skipped = db.get<{ n: number }>(sql`select count(*) as n from assignments where project_id = ${projectId} and status = 'skipped'`)!.n;
  return {
    tasks,
    totalTasks: byStatus.reduce((s, r) => s + r.n, 0),
    goldTasks: byStatus.reduce((s, r) => s + r.gold, 0),
    /** Judgements open non-gold tasks still need to reach their overlap. */
    judgementsNeeded: byStatus.find((r) => r.status === "open")?.needed ?? 0,
    humanJudgements: perDay.reduce((s, d) => s + d.judgements, 0),
    skipped,
    perDay,
    /** Synthetic judgements (drex, trex runs) by generating kind: in none of the counts above. */
    synthetic: syntheticCounts(db, projectId),
  };
}

export type ProjectProgress = ReturnType<typeof projectProgress>;
