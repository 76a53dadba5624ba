/**
 * Failed sign-ins, counted per account and per address over a sliding window. Guessing one
 * account's password is capped by the account count whatever addresses the guesses come from;
 * trying many accounts from one place is capped by the address count (higher, since an office
 * shares one address). While either is over its cap every attempt is refused, the right
 * password included, so a guesser learns nothing from answers during the lockout.
 *
 * Kept in the server process's memory on globalThis (one web server process; Next.js may load
 * this module more than once, every copy shares the same record). A restart forgets it, which
 * costs an attacker a restart they cannot cause.
 */
export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;
/** Bounds memory when someone sprays names or forged addresses: the oldest keys go first. */
const MAX_KEYS = 50_000;

type Failures = Map<string, number[]>;
const globalForLimit = globalThis as unknown as { preflabLoginFailures?: Failures };
const failures = (): Failures => (globalForLimit.preflabLoginFailures ??= new Map());

const accountKey = (username: string) => `account:${username.trim().toLowerCase()}`;
const addressKey = (address: string) => `address:${address}`;

function recent(key: string, now: number): number[] {
  const times = (failures().get(key) ?? []).filter((t) => t > now - LOGIN_WINDOW_MS);
  if (times.length) failures().set(key, times);
  else failures().delete(key);
  return times;
}

/** Seconds until the caller may try again, or 0 when it may try now. */
export function loginRetryAfter(attempt: { username: string; address: string }, now = Date.now()): number {
  const waits = [
    [accountKey(attempt.username), MAX_FAILURES_PER_ACCOUNT],
    [addressKey(attempt.address), MAX_FAILURES_PER_ADDRESS],
  ] as const;
  let until = 0;
  for (const [key, max] of waits) {
    const times = recent(key, now);
    // Free again when the failure that put the key over its cap leaves the window.
    if (times.length >= max) until = Math.max(until, times[times.length - max]! + LOGIN_WINDOW_MS);
  }
  return until > now ? Math.ceil((until - now) / 1000) : 0;
}

export function recordLoginFailure(attempt: { username: string; address: string }, now = Date.now()): void {
  for (const key of [accountKey(attempt.username), addressKey(attempt.address)]) {
    const times = recent(key, now);
    failures().delete(key); // re-insert: Map order is then least recently failed first
    failures().set(key, [...times, now]);
  }
  while (failures().size > MAX_KEYS) failures().delete(failures().keys().next().value!);
}

/** The account's owner got in: its count starts over (the address count does not, so one's own
 *  account cannot be used to reset the limit on guessing others'). */
export function recordLoginSuccess(attempt: { username: string }): void {
  failures().delete(accountKey(attempt.username));
}

/** Tests start each case from a clean slate. */
export function forgetLoginFailures(): void {
  failures().clear();
}
