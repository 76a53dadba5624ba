/** At most `limit` calls of `run` in flight at once; the others wait their turn in order. */
export function createLimiter(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async function run<T>(fn: () => Promise<T>): Promise<T> {
    // A finishing call hands its slot straight to the next waiter, so no newcomer slips in between.
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
export type Limiter = ReturnType<typeof createLimiter>;

// One limiter per endpoint per process (kept on globalThis: Next.js bundles routes separately),
// so battles and /v1 calls from every request share the endpoint's concurrency.
const shared = globalThis as unknown as { preflabLimiters?: Map<string, { limit: number; run: Limiter }> };

export function sharedLimiter(key: string, limit: number): Limiter {
  shared.preflabLimiters ??= new Map();
  const existing = shared.preflabLimiters.get(key);
  if (existing && existing.limit === limit) return existing.run;
  const run = createLimiter(limit);
  shared.preflabLimiters.set(key, { limit, run });
  return run;
}
