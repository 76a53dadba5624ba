// The numbers of one policy against its base, as pure functions of per-sample values (tested
// against hand-computed cases): rewards are averaged per prompt before the two sides are compared,
// so more samples per prompt sharpen each side's answer instead of adding games.

export const mean = (v: readonly number[]): number => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : Number.NaN);

/** Standard error of the mean (0 for fewer than two values). */
export function standardError(v: readonly number[]): number {
  if (v.length < 2) return 0;
  const m = mean(v);
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1) / v.length);
}

/** Per-prompt means of `values` laid out prompt-major: [prompts * k] -> [prompts]. */
export function perPromptMeans(values: readonly number[], k: number): number[] {
  return Array.from({ length: values.length / k }, (_, p) => mean(values.slice(p * k, (p + 1) * k)));
}

/** Share of prompts whose policy reward is above the base's (ties count half): "alignment accuracy". */
export function alignmentAccuracy(policy: readonly number[], base: readonly number[]): number {
  if (policy.length !== base.length) throw new Error(`${policy.length} policy rewards against ${base.length} base rewards`);
  return mean(policy.map((r, i) => (r > base[i]! ? 1 : r === base[i] ? 0.5 : 0)));
}

/** k1 estimate of KL(π‖π_base) per sample: log π(y) − log π_base(y) with y ~ π (nats per sequence). */
export const klTerms = (policyLogps: readonly number[], baseLogps: ArrayLike<number>): number[] => policyLogps.map((lp, i) => lp - baseLogps[i]!);
