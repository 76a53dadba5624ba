/**
 * The end of a reward run: the trained model becomes a `reward_models` row (what PPO, active
 * learning and the dashboard list) and a `reward_model` artifact of the run (what the run page
 * links), both pointing at the directory saved under the run's own folder.
 */
import type { RewardModelKind } from "../../db/enums";
import { rewardModels } from "../../db/schema";
import type { RunContext } from "../worker/run-context";
import type { RewardMetrics } from "./metrics";

export interface TrainedRewardModel {
  kind: RewardModelKind;
  /** Directory holding the model (linear-reward.json, or an HF sequence-classifier checkpoint). */
  path: string;
  /**
   * Test-split metrics of the saved model under the plain names (accuracy, loss, ...: what the
   * dashboard and the CLI show), the validation split's beside them as val_*, plus counts.
   */
  metrics: RewardMetrics & Record<string, number>;
  /** Reward moments PPO normalises with; the test split's (metrics) unless given. */
  normalization?: { mean: number; std: number };
}

type SplitPrefix = "val_" | "test_";

/** Metrics as run-event series, "val_accuracy", "test_loss", ... so the run page charts them beside the loss. */
export function metricSeries(m: RewardMetrics, prefix: SplitPrefix): Record<string, number> {
  const finite = (v: number) => (Number.isFinite(v) ? v : 0);
  return {
    [`${prefix}loss`]: finite(m.loss),
    [`${prefix}accuracy`]: finite(m.accuracy),
    [`${prefix}mean_margin`]: finite(m.meanMargin),
    [`${prefix}ece`]: finite(m.ece),
    [`${prefix}reward_mean`]: finite(m.rewardMean),
    [`${prefix}reward_std`]: finite(m.rewardStd),
  };
}

/** Inserts the reward_models row and the artifact; returns the new reward model id. */
export function recordRewardModel(ctx: RunContext, model: TrainedRewardModel, name: string | null): number {
  const row = ctx.db
    .insert(rewardModels)
    .values({
      projectId: ctx.run.projectId,
      runId: ctx.run.id,
      name: name ?? `reward-${ctx.run.id}`,
      kind: model.kind,
      path: model.path,
      metrics: model.metrics,
      rewardMean: model.normalization?.mean ?? model.metrics.rewardMean,
      rewardStd: model.normalization?.std ?? model.metrics.rewardStd,
    })
    .returning({ id: rewardModels.id })
    .get();
  ctx.artifact("reward_model", model.path, { rewardModelId: row.id, kind: model.kind, metrics: model.metrics });
  return row.id;
}
