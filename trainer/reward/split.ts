/**
 * Train/validation split by prompt: every pair of a prompt lands on the same side, so validation
 * measures generalisation to new prompts rather than memorised ones (pairs from one prompt share
 * most of their text). Deterministic: the same items and seed give the same split.
 */
import { createRng, shuffle } from "../../stats/random";

export interface SplitOptions {
  /** Share of distinct prompts held out; 0.1 leaves most data for training. */
  validationFraction: number;
  /** Seed of the prompt shuffle; record it with the run so the split can be rebuilt. */
  seed: number;
}

export interface Split<T> {
  train: T[];
  validation: T[];
}

/**
 * Sorts distinct prompts (so input order does not matter), shuffles them with the seed and holds
 * out round(fraction · prompts) of them, at least one on each side when there are two or more.
 */
export function splitByPrompt<T>(items: readonly T[], promptOf: (item: T) => string, options: SplitOptions): Split<T> {
  const { validationFraction, seed } = options;
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new RangeError(`validationFraction must be in [0, 1), got ${validationFraction}`);
  }
  const prompts = shuffle(createRng(seed), [...new Set(items.map(promptOf))].sort());
  let held = Math.round(validationFraction * prompts.length);
  if (validationFraction > 0 && prompts.length >= 2) held = Math.min(prompts.length - 1, Math.max(1, held));
  const validationPrompts = new Set(prompts.slice(0, held));
  const split: Split<T> = { train: [], validation: [] };
  for (const item of items) (validationPrompts.has(promptOf(item)) ? split.validation : split.train).push(item);
  return split;
}
