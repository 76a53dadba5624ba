/**
 * The pairs a reward run trains and validates on, read from the project's judgements through the
 * one derivation (db/preference-rows.ts, the same rows export writes) and never re-derived here.
 * Both-bad pairs are dropped by `selectRewardPairs`; ties stay only under a tie model; the split
 * is by prompt into train, validation (what early stopping selects on) and test (what is reported,
 * never selected on), so no prompt is on two sides.
 */
import type { Db } from "../../db/client";
import { iteratePreferenceRows } from "../../db/preference-rows";
import { marginForStrength, type RewardConfig } from "./config";
import { countRelations, selectRewardPairs, type PairCounts } from "./prepare";
import { splitByPrompt } from "./split";

export interface RewardTrainingPair {
  prompt: string;
  chosen: string; // the preferred answer (for a tie, the one shown first)
  rejected: string;
  weight: number; // from the derivation: 1/C(N,2) for a ranking's pairs
  margin: number; // from the judgement's strength (config.marginByStrength)
  tie: boolean;
}

export interface RewardData {
  train: RewardTrainingPair[];
  /** Early stopping selects on these; their metrics are logged as val_*. */
  validation: RewardTrainingPair[];
  /** Never trained or selected on: the registered model's metrics come from these. */
  test: RewardTrainingPair[];
  /** Every derived pair by relation, before selection (shown in the run's log). */
  counts: PairCounts;
}

/** Reads, selects and splits the project's preference pairs; throws a clear Error when unusable. */
export function loadRewardData(db: Db, projectId: number, config: RewardConfig): RewardData {
  const rows = [...iteratePreferenceRows(db, { projectId, includeSynthetic: config.includeSynthetic })];
  const counts = countRelations(rows);
  const pairs = selectRewardPairs(rows, config.tieMode).map(
    (row): RewardTrainingPair => ({
      prompt: row.judgement.prompt.text,
      chosen: row.chosen.text,
      rejected: row.rejected.text,
      weight: row.weight,
      margin: row.relation === "preferred" ? marginForStrength(row.judgement.strength, config) : 0,
      tie: row.relation === "tie",
    }),
  );
  const { validationFraction, testFraction, seed } = config;
  const split = splitByPrompt(pairs, (p) => p.prompt, { validationFraction, testFraction, seed });
  for (const side of ["validation", "test"] as const) {
    if (split[side].every((p) => p.tie)) {
      throw new Error(`the ${side} split has no decided pairs (${pairs.length} pairs over too few prompts): label pairs for more prompts`);
    }
  }
  return { ...split, counts };
}

/** The decided pairs of a split: metrics are about which answer is better, ties have none. */
export const decidedPairs = (pairs: readonly RewardTrainingPair[]) => pairs.filter((p) => !p.tie);

/** One line for the run log: what the model learns from. */
export function describeData(data: RewardData): string {
  const { preferred, tie, both_bad } = data.counts;
  return `${data.train.length} training, ${data.validation.length} validation and ${data.test.length} test pairs (derived: ${preferred} preferred, ${tie} tie, ${both_bad} both-bad)`;
}
