import type { Db } from "../../db/client";
import { labelOf } from "./quality";
import { labelSql } from "./quality-scan";
import { FleissTally } from "./quality-tallies";

/**
 * Agreement over time: Fleiss' kappa (and observed agreement) of the tasks that got their last
 * human judgement on each UTC day of a recent window, from the same label codes (quality-scan.ts)
 * and the same Fleiss tally the project's overall agreement uses (quality.ts). A task counts on
 * the day it was finished, when its agreement became known. SQLite does the counting (label
 * counts per finished task), so only the window's tasks reach JS, never a row per judgement.
 */

const DAY_MS = 86_400_000;
/** Day slots beside the task id in one integer; label codes stay under 64 (tasks hold at most 9 completions). */
const DAY_SLOTS = 1024;
const LABEL_SLOTS = 64;

const HUMAN = "j.source = 'human' and j.undone_at is null and j.annotator_id is not null";

/** (task × DAY_SLOTS + day slot) × LABEL_SLOTS + label, and how many judgements gave it; tasks finished in the window only. */
function labelCountsSql(firstDay: number): string {
  return `select (f.task_id * ${DAY_SLOTS} + f.slot) * ${LABEL_SLOTS} + ${labelSql} as k, count(*)
    from (
      select t.id as task_id, max(j.created_at) / ${DAY_MS} - ${firstDay} as slot
      from tasks t join judgements j on j.task_id = t.id
      where t.project_id = ? and ${HUMAN}
      group by t.id having count(*) >= 2 and max(j.created_at) >= ${firstDay * DAY_MS}
    ) f
    join tasks t on t.id = f.task_id join judgements j on j.task_id = t.id
    where ${HUMAN}
    group by k order by k`;
}

export function agreementOverTime(db: Db, projectId: number, options: { days?: number; now?: number } = {}) {
  const days = Math.min(Math.max(1, Math.round(options.days ?? 14)), DAY_SLOTS);
  const lastDay = Math.floor((options.now ?? Date.now()) / DAY_MS);
  const firstDay = lastDay - days + 1;
  const tallies = Array.from({ length: days }, () => new FleissTally());
  const rows = db.$client.prepare(labelCountsSql(firstDay)).raw().all(projectId) as Array<[number, number]>;

  // Rows arrive grouped by task: one unit per task, its labels expanded from their counts.
  let unit = -1;
  let size = 0;
  const labels: number[] = [];
  const flush = () => {
    const slot = unit % DAY_SLOTS;
    if (unit >= 0 && slot < days) tallies[slot]!.addUnit(labels, size);
    size = 0;
  };
  for (const [key, count] of rows) {
    const label = key % LABEL_SLOTS;
    const taskSlot = (key - label) / LABEL_SLOTS;
    if (taskSlot !== unit) (flush(), (unit = taskSlot));
    if (label !== 0) for (let i = 0; i < count; i++) labels[size++] = label;
  }
  flush();

  return tallies.map((tally, i) => {
    const result = tally.result(labelOf);
    return {
      day: new Date((firstDay + i) * DAY_MS).toISOString().slice(0, 10),
      /** Tasks finished that day with two or more nominal answers. */
      tasks: tally.units,
      fleissKappa: result && Number.isFinite(result.kappa) ? result.kappa : null,
      observedAgreement: result ? result.observedAgreement : null,
    };
  });
}

export type AgreementOverTime = ReturnType<typeof agreementOverTime>;
