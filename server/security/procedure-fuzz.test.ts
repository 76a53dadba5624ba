import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import * as exportRoute from "../../app/api/export/route";
import * as importRoute from "../../app/api/import/route";
import { EXPORT_FORMATS, IMPORT_FORMATS } from "../../db/enums";
import { databaseChecksum } from "./db-checksum";
import { encodedPayload, hostileString } from "./hostile-json";
import { PROCEDURE_CASES } from "./procedure-cases.fixtures";
import { routerProcedures } from "./router-procedures";
import { BASE_URL, sendTrpc, temporaryServerDb } from "./trpc-http";
import { cookieFor, seedWorld } from "./world.fixtures";

vi.mock("../../trainer/launcher", async (importOriginal) => ({ ...(await importOriginal<object>()), ensureWorkerRunning: vi.fn() }));

/**
 * Issue 13's fuzzing of every procedure's input: malformed, oversized and hostile payloads sent
 * through the real tRPC route handler as an admin (so no role check hides a validation gap) get a
 * 4xx, never a 500, and a refused request leaves every table as it was. Seeded: FUZZ_SEED=n
 * replays another sequence, and a failure prints the seed and path that reproduce it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_13);
const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
// Each of these spends a scrypt hash (about a second on a busy 2-core machine) per well-formed call.
const FEWER_RUNS: Record<string, number> = { "auth.signIn": 6, "users.create": 6 };

const { db } = temporaryServerDb();
const world = seedWorld(db);
const admin = world.people.admin;

/** Keeps a failure report readable when the payload is megabytes long. */
const shown = (payload: string | undefined) => ({
  payload,
  [fc.toStringMethod]: () => (payload === undefined ? "(no input)" : payload.length > 300 ? `${payload.slice(0, 300)}… (${payload.length} characters)` : payload),
});

describe("every procedure under hostile input, as an admin", () => {
  for (const procedure of routerProcedures())
    it(`${procedure.path}: a 4xx, never a 500, and a refused request changes nothing`, async () => {
      const testCase = PROCEDURE_CASES[procedure.path];
      if (!testCase) throw new Error(`${procedure.path} has no case: add a valid input to PROCEDURE_CASES in server/security/procedure-cases.fixtures.ts`);
      const valid = testCase.input(world, admin);
      await fc.assert(
        fc.asyncProperty(encodedPayload(valid).map(shown), async ({ payload }) => {
          const cookie = cookieFor(db, admin); // a fresh session: sign-out and revocation may end the last one
          const before = databaseChecksum(db);
          const answer = await sendTrpc(procedure, payload, { cookie });
          expect(answer.status, answer.text.slice(0, 500)).toBeLessThan(500);
          if (answer.status >= 400) expect(databaseChecksum(db), `refused with ${answer.status} but the database changed`).toBe(before);
        }),
        { seed: SEED, numRuns: FEWER_RUNS[procedure.path] ?? RUNS },
      );
    });

  afterAll(() => {
    // No payload reached Object.prototype through "__proto__" keys or superjson's paths.
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

/** A query parameter: absent, a value the route knows, or hostile. */
const param = (known: fc.Arbitrary<string>) => fc.option(fc.oneof(known, hostileString, fc.constantFrom("..", ".", "/", "../../../etc/passwd", "a.csv.gz", "0", "-1", "1e309", "NaN")), { nil: undefined });
const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();

describe("the upload and download routes under hostile parameters, as an admin", () => {
  const sameOrigin = { origin: BASE_URL, host: new URL(BASE_URL).host, "sec-fetch-site": "same-origin" };
  const importParams = fc.record({
    project: param(fc.constantFrom("fuzz-import", "security")),
    format: param(fc.constantFrom("auto", ...IMPORT_FORMATS)),
    skipInvalid: param(fc.constantFrom("0", "1")),
    fileName: param(fc.constantFrom("x.jsonl", "x.csv", "x.json", "x.jsonl.gz")),
  });
  const body = fc.oneof(
    fc.constant(`${JSON.stringify({ prompt: "p", chosen: "a", rejected: "b" })}\n`),
    hostileString,
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  );

  it("POST /api/import: a 4xx or a streamed report, never a 500 or an import that threw; a refused upload changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(importParams, body, async (params, content) => {
        const cookie = cookieFor(db, admin);
        const before = databaseChecksum(db);
        const response = await importRoute.POST(new Request(`${BASE_URL}/api/import?${query(params)}`, { method: "POST", headers: { cookie, ...sameOrigin }, body: content }));
        const text = await response.text();
        expect(response.status, text.slice(0, 300)).toBeLessThan(500);
        const last = response.status === 200 ? (JSON.parse(text.trim().split("\n").at(-1)!) as { type: string; ok?: boolean }) : null;
        if (last) expect(last.type, text.slice(-300)).toBe("report");
        if (!last?.ok) expect(databaseChecksum(db)).toBe(before);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  const exportParams = fc.record({
    projectId: param(fc.constant(String(world.projectId))),
    format: param(fc.constantFrom(...EXPORT_FORMATS)),
    since: param(fc.constantFrom("2020-01-01", "2999-12-31T00:00:00Z")),
    until: param(fc.constantFrom("2020-01-01", "not a date")),
    policyId: param(fc.constant(String(world.childPolicyId))),
    minAgreement: param(fc.constantFrom("0", "0.5", "1", "2")),
    includeGold: param(fc.constantFrom("0", "1", "true", "false")),
  });

  it("GET /api/export: a 4xx or a whole file, never a 500 or a broken stream, and nothing written", async () => {
    await fc.assert(
      fc.asyncProperty(exportParams, async (params) => {
        const cookie = cookieFor(db, admin);
        const before = databaseChecksum(db);
        const response = await exportRoute.GET(new Request(`${BASE_URL}/api/export?${query(params)}`, { headers: { cookie } }));
        const text = await response.text(); // a stream that fails half-way rejects here
        expect(response.status, text.slice(0, 300)).toBeLessThan(500);
        expect(databaseChecksum(db)).toBe(before);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
