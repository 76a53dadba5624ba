/**
 * Train/validation(/test) split by prompt: every pair of a prompt lands on the same side, so
 * validation measures generalisation to new prompts rather than memorised ones (pairs from one
 * prompt share most of their text). Deterministic: the same items and seed give the same split.
 */
import { createRng, shuffle } from "../../stats/random";

export interface SplitOptions {
  /** Share of distinct prompts held out for validation (what early stopping selects on). */
  validationFraction: number;
  /** Share held out for test: never selected on, so its numbers are the ones to report; 0: none. */
  testFraction?: number;
  /** Seed of the prompt shuffle; record it with the run so the split can be rebuilt. */
  seed: number;
}

export interface Split<T> {
  train: T[];
  validation: T[];
  /** Empty when `testFraction` is 0 (the default). */
  test: T[];
}

function checkFractions(validationFraction: number, testFraction: number): void {
  if (!(validationFraction >= 0 && validationFraction < 1))
    throw new RangeError(`validationFraction must be in [0, 1), got ${validationFraction}`);
  if (!(testFraction >= 0 && testFraction < 1)) throw new RangeError(`testFraction must be in [0, 1), got ${testFraction}`);
  if (validationFraction + testFraction >= 1)
    throw new RangeError(`validationFraction + testFraction must be below 1 (training needs prompts), got ${validationFraction + testFraction}`);
}

/**
 * Prompts per held-out side: round(fraction · prompts), at least one on each side asked for and
 * one left for training when there are enough prompts. With too few for three sides, the test
 * side gives way (validation is what training needs); a single prompt follows the rounding alone.
 */
function heldOut(n: number, validationFraction: number, testFraction: number): { validation: number; test: number } {
  let validation = Math.round(validationFraction * n);
  let test = Math.round(testFraction * n);
  if (n < 2) return { validation, test: 0 };
  const sides = 1 + (validationFraction > 0 ? 1 : 0) + (testFraction > 0 ? 1 : 0);
  if (validationFraction > 0) validation = Math.max(1, validation);
  if (testFraction > 0) test = n >= sides ? Math.max(1, test) : 0;
  validation = Math.min(validation, n - 1 - (test > 0 ? 1 : 0));
  test = Math.min(test, n - 1 - validation);
  return { validation, test };
}

/**
 * Sorts distinct prompts (so input order does not matter), shuffles them with the seed, and takes
 * the validation prompts first and the test prompts next: adding a test side leaves the
 * validation prompts of the same seed unchanged.
 */
export function splitByPrompt<T>(items: readonly T[], promptOf: (item: T) => string, options: SplitOptions): Split<T> {
  const { validationFraction, testFraction = 0, seed } = options;
  checkFractions(validationFraction, testFraction);
  const prompts = shuffle(createRng(seed), [...new Set(items.map(promptOf))].sort());
  const held = heldOut(prompts.length, validationFraction, testFraction);
  const validationPrompts = new Set(prompts.slice(0, held.validation));
  const testPrompts = new Set(prompts.slice(held.validation, held.validation + held.test));
  const split: Split<T> = { train: [], validation: [], test: [] };
  for (const item of items) {
    const prompt = promptOf(item);
    (validationPrompts.has(prompt) ? split.validation : testPrompts.has(prompt) ? split.test : split.train).push(item);
  }
  return split;
}
