import { beforeEach, describe, expect, it } from "vitest";
import { createUser } from "../services/auth";
import {
  forgetLoginFailures,
  LOGIN_WINDOW_MS,
  loginRetryAfter,
  MAX_FAILURES_PER_ACCOUNT,
  MAX_FAILURES_PER_ADDRESS,
  recordLoginFailure,
} from "../services/login-limit";
import { callTrpc, temporaryServerDb } from "./trpc-http";

/** Failed sign-ins are limited per account and per address, through the real tRPC route. */
const { db } = temporaryServerDb();
const PASSWORD = "right password";
let accounts = 0;
const account = () => createUser(db, { username: `limit-${++accounts}`, password: PASSWORD, role: "annotator" }).username;

const signIn = (username: string, password: string, address: string) =>
  callTrpc({ path: "auth.signIn", type: "mutation" }, { username, password }, { "x-forwarded-for": address });

beforeEach(() => forgetLoginFailures());

// scrypt takes about a second on a busy 2-core machine: one test counts real failures through the
// route, the others record failures directly and check what the route answers next.
const fail = (times: number, attempt: (i: number) => { username: string; address: string }) => {
  for (let i = 0; i < times; i++) recordLoginFailure(attempt(i));
};

describe("per account", () => {
  it(`refuses the attempt after ${MAX_FAILURES_PER_ACCOUNT} failures with 429 and Retry-After, the right password included, whatever the address`, async () => {
    const name = account();
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) expect((await signIn(name, `guess ${i}`, `10.0.0.${i}`)).status).toBe(400);
    const refused = await signIn(name, PASSWORD, "10.0.1.1");
    expect({ status: refused.status, code: refused.code }).toEqual({ status: 429, code: "TOO_MANY_REQUESTS" });
    expect(refused.message).toMatch(/try again in 15 min/);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(LOGIN_WINDOW_MS / 1000 - 60);
    expect(retryAfter).toBeLessThanOrEqual(LOGIN_WINDOW_MS / 1000);
    expect(refused.headers.get("set-cookie")).toBeNull();
  });

  it("leaves other accounts alone, and counts one account's names case-insensitively", async () => {
    const [locked, other] = [account(), account()];
    fail(MAX_FAILURES_PER_ACCOUNT, (i) => ({ username: i % 2 ? locked.toUpperCase() : locked, address: `10.1.0.${i}` }));
    expect((await signIn(locked, PASSWORD, "10.1.1.1")).status).toBe(429);
    expect((await signIn(other, PASSWORD, "10.1.1.2")).status).toBe(200);
  });

  it("starts the count over when the owner signs in", async () => {
    const name = account();
    fail(MAX_FAILURES_PER_ACCOUNT - 1, () => ({ username: name, address: "10.2.0.1" }));
    expect((await signIn(name, PASSWORD, "10.2.0.1")).status).toBe(200);
    fail(MAX_FAILURES_PER_ACCOUNT - 1, () => ({ username: name, address: "10.2.0.2" }));
    expect((await signIn(name, PASSWORD, "10.2.0.2")).status).toBe(200);
  });
});

describe("per address", () => {
  it(`refuses an address after ${MAX_FAILURES_PER_ADDRESS} failures across accounts, even for an untouched account; other addresses go on`, async () => {
    fail(MAX_FAILURES_PER_ADDRESS, (i) => ({ username: `nobody-${i}`, address: "192.0.2.7" }));
    const fresh = account();
    expect((await signIn(fresh, PASSWORD, "192.0.2.7")).status).toBe(429);
    expect((await signIn(fresh, PASSWORD, "192.0.2.8")).status).toBe(200);
  });

  it("keys on the last X-Forwarded-For hop, the one the nearest proxy wrote", async () => {
    fail(MAX_FAILURES_PER_ADDRESS, (i) => ({ username: `nobody-${i}`, address: "198.51.100.1" }));
    expect((await signIn(account(), PASSWORD, "203.0.113.200, 198.51.100.1")).status).toBe(429);
    expect((await signIn(account(), PASSWORD, "198.51.100.1, 203.0.113.5")).status).toBe(200);
  });

  it("is not reset by signing in to one's own account", async () => {
    const own = account();
    const address = "192.0.2.9";
    fail(MAX_FAILURES_PER_ADDRESS - 1, (i) => ({ username: `nobody-${i}`, address }));
    expect((await signIn(own, PASSWORD, address)).status).toBe(200);
    recordLoginFailure({ username: "nobody-last", address });
    expect((await signIn(own, PASSWORD, address)).status).toBe(429);
  });
});

describe("the window", () => {
  it("slides: an attempt is allowed again when the failure that reached the cap is 15 minutes old", () => {
    const attempt = { username: "window", address: "192.0.2.50" };
    const t0 = 1_000_000_000_000;
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) recordLoginFailure(attempt, t0 + i * 60_000);
    const last = t0 + (MAX_FAILURES_PER_ACCOUNT - 1) * 60_000;
    // Five failures at t0, t0+1min, ... t0+4min: free again when the first leaves the window.
    expect(loginRetryAfter(attempt, last)).toBe((LOGIN_WINDOW_MS - (last - t0)) / 1000);
    expect(loginRetryAfter(attempt, t0 + LOGIN_WINDOW_MS - 1)).toBe(1);
    expect(loginRetryAfter(attempt, t0 + LOGIN_WINDOW_MS)).toBe(0);
    recordLoginFailure(attempt, t0 + LOGIN_WINDOW_MS);
    expect(loginRetryAfter(attempt, t0 + LOGIN_WINDOW_MS)).toBe(60); // the second failure leaves a minute later
  });
});
