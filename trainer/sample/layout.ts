// How one prompt's samples become tasks. `samples[p][j]` is the completion id of the j-th sample
// of policy p (policies newest first), so a pair always sets a newer version against an older one
// on the same prompt, which is the comparison a new policy's training needs.
import { allPairs } from "../../core/tasks";
import type { SampleLayout } from "./config";

/** Completion ids of each task to create for one prompt. */
export function taskSets(layout: SampleLayout, samples: readonly number[][]): number[][] {
  if (layout !== "pair") return [samples.flat()];
  // One policy: its own samples against each other.
  if (samples.length === 1) return allPairs(samples[0]!);
  // Each policy's j-th sample against the next (older) policy's j-th sample.
  return samples.slice(0, -1).flatMap((newer, p) => newer.map((id, j) => [id, samples[p + 1]![j]!]));
}
