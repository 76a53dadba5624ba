/**
 * The real-data check of the linear reward model: train on HH-RLHF pairs, score the held-out
 * prompts, compare with "prefer the longer answer". Several split seeds, because 300 held-out
 * pairs alone carry ±2.8% of sampling noise.
 *
 *   npx tsx trainer/reward/linear-hh.ts [data/hh-rlhf/harmless-base-test.part1.jsonl.gz]
 */
import { pathToFileURL } from "node:url";
import { readHhRlhf } from "./hh-rlhf";
import { LinearRewardModel, type LinearPair, type LinearTrainConfig } from "./linear";
import { rewardMetrics, type RewardMetrics } from "./metrics";
import { splitByPrompt } from "./split";

export interface HhEvaluation {
  pairs: number;
  seeds: number[];
  heldOut: RewardMetrics[]; // one per seed
  meanAccuracy: number;
  longerAccuracy: number; // "prefer the longer answer" on the same held-out pairs, all seeds
  trainSeconds: number; // mean per model
}

/** Share of pairs where the chosen answer has more characters (equal length counts half). */
export function longerAccuracy(pairs: readonly LinearPair[]): number {
  const right = pairs.reduce((s, p) => s + (p.chosen.length > p.rejected.length ? 1 : p.chosen.length === p.rejected.length ? 0.5 : 0), 0);
  return right / pairs.length;
}

export function evaluateLinearOnHh(
  path: string,
  seeds = [1, 2, 3, 4, 5],
  config: Partial<LinearTrainConfig> = {},
  validationFraction = 0.2,
): HhEvaluation {
  const pairs = readHhRlhf(path);
  const heldOut: RewardMetrics[] = [];
  const allValidation: LinearPair[] = [];
  let seconds = 0;
  for (const seed of seeds) {
    const { train, validation } = splitByPrompt(pairs, (p) => p.prompt, { validationFraction, seed });
    const start = performance.now();
    const model = LinearRewardModel.train(train, config);
    seconds += (performance.now() - start) / 1000;
    heldOut.push(
      rewardMetrics({
        chosen: validation.map((p) => model.score(p.prompt, p.chosen)),
        rejected: validation.map((p) => model.score(p.prompt, p.rejected)),
      }),
    );
    allValidation.push(...validation);
  }
  const meanAccuracy = heldOut.reduce((s, m) => s + m.accuracy, 0) / heldOut.length;
  return { pairs: pairs.length, seeds, heldOut, meanAccuracy, longerAccuracy: longerAccuracy(allValidation), trainSeconds: seconds / seeds.length };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = evaluateLinearOnHh(process.argv[2] ?? "data/hh-rlhf/harmless-base-test.part1.jsonl.gz");
  console.table(result.heldOut.map((m, i) => ({ seed: result.seeds[i], ...m })));
  const { pairs, meanAccuracy, longerAccuracy: longer, trainSeconds } = result;
  console.log(JSON.stringify({ pairs, meanAccuracy, longerAccuracy: longer, trainSeconds }));
}
