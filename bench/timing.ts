// Timing helpers every benchmark shares. The best of several runs, after one warm-up (kernels
// compiled, memory allocated), because other load on the machine only ever adds time.

/** Best wall time in seconds of `reps` calls of a synchronous `fn`, after one warm-up call. */
export function best(reps: number, fn: () => void): number {
  fn();
  let min = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, (performance.now() - t) / 1000);
  }
  return min;
}

/** Best wall time in seconds of `reps` awaited calls of `fn`, after one warm-up call. */
export async function bestOf(reps: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  let min = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, (performance.now() - t) / 1000);
  }
  return min;
}
