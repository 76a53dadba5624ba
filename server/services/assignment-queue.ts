import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { createRng, seedFromString, shuffle } from "../../stats/random";

/**
 * The queue query of the assignment engine. One indexed walk over the project's open tasks
 * (tasks_queue_idx: project, status, gold, priority desc, queue_score desc, id), highest priority
 * first (a `sample` run's new tasks before the backlog), then the project's active-learning order
 * within the band (queue_score: reward-model uncertainty or annotator disagreement, materialised
 * by core/queue-order.ts; 0 everywhere by default), then oldest first so started tasks finish
 * first; the index holds that order, so the walk stops at the first eligible task without
 * sorting. For each candidate:
 * - the others' live leases on it (overlap is never overshot: submitted judgements + live leases
 *   stay below the target);
 * - whether this annotator was ever shown (any assignment: held, judged, skipped, expired) a task
 *   of the same prompt holding two or more of the candidate's completions, i.e. has already
 *   ordered one of its pairs: a ranking [3, 1, 2] is not served after the pair (1, 2), nor the
 *   pair after the ranking. Two steps, cheapest first: the same unordered set (tasks_set_idx, then
 *   assignments_task_annotator_uq), which rules out the tasks an annotator ran ahead on in one
 *   look-up each; then the prompt's other tasks (tasks_set_idx on prompt_id, CROSS JOIN so SQLite
 *   walks those few rather than all of this annotator's assignments), each a point look-up of
 *   this annotator's assignment, whose completions are compared only when one is found: they are
 *   read from its display_order (a permutation of its task's ids), which keeps that test after
 *   the look-up.
 * Gold tasks ignore overlap: they measure annotators, so every annotator may judge each one once.
 */
const ELIGIBLE = (annotatorId: number, nowMs: number) => sql`
  (t.is_gold = 1 or t.judgement_count + (
      select count(*) from assignments a
      where a.task_id = t.id and a.status = 'active' and a.expires_at > ${nowMs}) < t.required_judgements)
  and not exists (
      select 1 from tasks same join assignments mine on mine.task_id = same.id
      where same.prompt_id = t.prompt_id and same.completion_set_key = t.completion_set_key
        and mine.annotator_id = ${annotatorId})
  and not exists (
      select 1 from tasks same cross join assignments mine
      where mine.task_id = same.id and same.prompt_id = t.prompt_id and mine.annotator_id = ${annotatorId}
        and (select count(*) from json_each(mine.display_order) seen
             where seen.value in (select value from json_each(t.completion_ids))) >= 2)`;

/** The candidate query (exported so a test can hold its plan to the index walk). */
export const candidateQuery = (annotatorId: number, projectId: number, gold: boolean, now: Date) => sql`
    select t.id from tasks t
    where t.project_id = ${projectId} and t.status = 'open' and t.is_gold = ${gold ? 1 : 0}
      and ${ELIGIBLE(annotatorId, now.getTime())}
    order by t.priority desc, t.queue_score desc, t.id limit 1`;

/** The open task (gold or not) of highest priority, then queue score, oldest among those, this annotator may lease now, or null. */
export function findCandidate(db: Db, annotatorId: number, projectId: number, gold: boolean, now: Date): number | null {
  return db.get<{ id: number }>(candidateQuery(annotatorId, projectId, gold, now))?.id ?? null;
}

/** Remaining non-gold tasks this annotator could still get, counted up to `cap` (a progress hint). */
export function countRemaining(db: Db, annotatorId: number, projectId: number, now: Date, cap: number): number {
  const row = db.get<{ n: number }>(sql`
    select count(*) as n from (
      select 1 from tasks t
      where t.project_id = ${projectId} and t.status = 'open' and t.is_gold = 0
        and ${ELIGIBLE(annotatorId, now.getTime())}
      limit ${cap})`);
  return row?.n ?? 0;
}

/**
 * Whether the annotator's next task should be gold: a uniform draw seeded by (annotator,
 * project, how many tasks they were served there), below the gold rate. Deterministic, so tests
 * and audits can replay it, yet without a visible period an annotator could learn.
 */
export function wantsGold(annotatorId: number, projectId: number, served: number, goldRate: number): boolean {
  if (goldRate <= 0) return false;
  return createRng(seedFromString(`gold:${annotatorId}:${projectId}:${served}`))() < goldRate;
}

/** A fresh random display order (left/right, top to bottom), one per assignment. */
export function randomDisplayOrder(completionIds: readonly number[]): number[] {
  return shuffle(createRng(crypto.randomInt(2 ** 32)), [...completionIds]);
}
