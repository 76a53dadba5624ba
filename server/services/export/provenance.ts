import type { JudgementView, PreferenceRow } from "../../../db/preference-rows";

/** What every exported row says about where it came from (a synthetic row also names the run that generated it). */
export function judgementProvenance(j: JudgementView) {
  return {
    ...(j.generatingRun ? { generating_run: j.generatingRun } : {}),
    judgement_id: j.judgementId,
    task_id: j.taskId,
    task_kind: j.taskKind,
    annotator: j.annotator,
    source: j.source,
    agreement: j.agreement,
    judgements_on_task: j.judgementsOnTask,
    seconds_on_task: j.secondsOnTask,
    strength: j.strength,
    created_at: j.createdAt.toISOString(),
  };
}

export function pairProvenance(row: PreferenceRow) {
  return {
    ...judgementProvenance(row.judgement),
    relation: row.relation,
    derivation: row.derivation,
    weight: row.weight,
    chosen_policy: row.chosen.policy,
    rejected_policy: row.rejected.policy,
  };
}
