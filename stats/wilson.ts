/**
 * Wilson score interval of a proportion: `successes` out of `n` (fractional successes allowed, so
 * a tie can count half a win). Unlike the normal approximation it stays inside [0, 1] and is
 * usable for small n and proportions near 0 or 1, which is what a first human comparison gives.
 */
export function wilsonInterval(successes: number, n: number, z = 1.959963984540054): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
