/**
 * Synthetic judgements (made by drex and trex cold-start runs, never by a person) counted by the
 * kind of run that generated them. Human counts and statistics leave them out; this count is what
 * the dashboard shows beside them ("312 synthetic (D-REX)"). One look-up of the project's synthetic
 * tasks through their partial index (tasks_synthetic_idx): nothing to read when there are none.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import type { RunKind } from "../../db/enums";

export interface SyntheticCount {
  /** The generating run's kind (drex, trex). */
  kind: RunKind;
  judgements: number;
}

export function syntheticCounts(db: Db, projectId: number): SyntheticCount[] {
  return db.all<SyntheticCount>(sql`
    select r.kind as kind, count(*) as judgements
    from tasks t join judgements j on j.task_id = t.id join training_runs r on r.id = j.run_id
    where t.project_id = ${projectId} and t.synthetic = 1 and j.source = 'synthetic' and j.undone_at is null
    group by r.kind order by r.kind`);
}
