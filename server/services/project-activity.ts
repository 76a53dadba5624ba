import type { Db } from "../../db/client";
import { TASK_KINDS, type TaskKind } from "../../db/enums";

/**
 * A project's labeling activity for the workspace overview: judgements by task kind and state
 * (all time), human labels per hour and the median seconds per judgement per day (over a recent
 * window). ONE pass over the project's judgements, counted by SQLite (GROUP BY one packed
 * integer: kind and state, hour, tenths of a second on task), so a million judgements come back
 * as a few thousand (key, count) rows: handing each judgement to JS would cost more than the scan.
 */

export const ACTIVITY_DAYS = { default: 14, max: 90 } as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** An hour: a longer "time on task" is an idle tab, clamped so one outlier cannot stretch the packing. */
const MAX_DECISECONDS = 36_000;
// Synthetic judgements (drex, trex runs) are a state of their own: never counted as people's labels.
const STATES = ["human", "imported", "undone", "synthetic"] as const;
const KIND_STATES = TASK_KINDS.length * STATES.length;

// Bound JS numbers arrive as REAL, hence the cast: the hour slot must be an integer division.
// Packed row: kindState + 9 × (hour slot + (hours + 1) × seconds slot), where hour slot 0 is "before
// the window" and seconds slot 0 "not a live human judgement in the window" (else 1 + tenths of a
// second on task): judgements before the window all fall into a few groups.
function activitySql(hours: number): string {
  const hourSlots = hours + 1;
  return `select
      (case t.kind when 'pair' then 0 when 'rank' then 1 else 2 end) * ${STATES.length}
      + (case when j.undone_at is not null then 2 when j.source = 'import' then 1 when j.source = 'synthetic' then 3 else 0 end)
      + ${KIND_STATES} * (
        (case when j.created_at >= @start and j.created_at < @end then 1 + cast((j.created_at - @start) / ${HOUR_MS} as integer) else 0 end)
        + ${hourSlots} * (case when j.created_at >= @start and j.created_at < @end and j.undone_at is null and j.source = 'human' and coalesce(j.seconds_on_task, j.server_seconds_on_task) is not null
            then 1 + min(max(cast(coalesce(j.seconds_on_task, j.server_seconds_on_task) * 10 as integer), 0), ${MAX_DECISECONDS}) else 0 end))
    as k, count(*)
    from judgements j join tasks t on t.id = j.task_id
    where t.project_id = @projectId
    group by k`;
}

/**
 * The median of values given as value → count (mean of the middle two for an even total, as
 * stats' median does), divided by `scale`; and how many values there were.
 */
export function medianOfHistogram(histogram: Map<number, number>, scale = 1): { timed: number; medianSeconds: number | null } {
  const entries = [...histogram].sort(([a], [b]) => a - b);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return { timed: 0, medianSeconds: null };
  // The values at 0-based positions lo and hi of the sorted list (equal for an odd total).
  const lo = (total - 1) >> 1;
  const hi = total >> 1;
  let seen = 0;
  let low: number | null = null;
  for (const [value, n] of entries) {
    seen += n;
    if (low === null && seen > lo) low = value;
    if (seen > hi) return { timed: total, medianSeconds: (low! + value) / 2 / scale };
  }
  return { timed: total, medianSeconds: null }; // unreachable: seen reaches total > hi
}

export interface ActivityOptions {
  /** Days of hourly labels and daily medians, ending with the current hour. */
  days?: number;
  now?: number;
}

export function projectActivity(db: Db, projectId: number, options: ActivityOptions = {}) {
  const days = Math.min(Math.max(1, Math.round(options.days ?? ACTIVITY_DAYS.default)), ACTIVITY_DAYS.max);
  const hours = days * 24;
  const end = (Math.floor((options.now ?? Date.now()) / HOUR_MS) + 1) * HOUR_MS;
  const start = end - hours * HOUR_MS;
  const rows = db.$client.prepare(activitySql(hours)).raw().all({ start, end, projectId }) as Array<[number, number]>;

  const byKindState = new Array<number>(KIND_STATES).fill(0);
  const labelsPerHour = new Array<number>(hours).fill(0);
  const secondsByDay = new Map<number, Map<number, number>>();
  for (const [packed, count] of rows) {
    const kindState = packed % KIND_STATES;
    const rest = (packed - kindState) / KIND_STATES;
    const hourSlot = rest % (hours + 1);
    const secondsSlot = (rest - hourSlot) / (hours + 1);
    byKindState[kindState]! += count;
    if (hourSlot === 0 || kindState % STATES.length !== 0) continue;
    labelsPerHour[hourSlot - 1]! += count;
    if (secondsSlot === 0) continue;
    const day = Math.floor((start + (hourSlot - 1) * HOUR_MS) / DAY_MS);
    const histogram = secondsByDay.get(day) ?? secondsByDay.set(day, new Map()).get(day)!;
    histogram.set(secondsSlot - 1, (histogram.get(secondsSlot - 1) ?? 0) + count);
  }
  return {
    days,
    /** Every judgement of the project, by its task's kind: live human ones, imported ones, undone ones, synthetic ones. */
    judgements: TASK_KINDS.map((kind, k) => ({
      kind: kind as TaskKind,
      ...Object.fromEntries(STATES.map((state, s) => [state, byKindState[k * STATES.length + s]!])) as Record<(typeof STATES)[number], number>,
    })),
    /** Live human judgements per hour, oldest hour first (the hour's start, ms since the epoch). */
    labelsPerHour: labelsPerHour.map((labels, h) => ({ hour: start + h * HOUR_MS, labels })),
    /** Per UTC day of the window: live human judgements with a time on task, and their median seconds (to a tenth). */
    perDay: [...secondsByDay]
      .sort(([a], [b]) => a - b)
      .map(([day, histogram]) => ({ day: new Date(day * DAY_MS).toISOString().slice(0, 10), ...medianOfHistogram(histogram, 10) })),
  };
}

export type ProjectActivity = ReturnType<typeof projectActivity>;
