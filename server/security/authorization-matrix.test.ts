import { describe, expect, it, vi } from "vitest";
import { createTestDb } from "../../db/testing";
import { createCaller } from "../root";
import { createInnerContext } from "../trpc";
import { apiRoutes, ROUTE_CASES } from "./api-routes.fixtures";
import { PROCEDURE_CASES } from "./procedure-cases.fixtures";
import { ACCESS_LEVELS, CALLERS, mayCall, routerProcedures, type Caller } from "./router-procedures";
import { callTrpc, temporaryServerDb } from "./trpc-http";
import { cookieFor, seedWorld } from "./world.fixtures";

// Queued runs stay queued: no training worker is forked from a test.
vi.mock("../../trainer/launcher", async (importOriginal) => ({ ...(await importOriginal<object>()), ensureWorkerRunning: vi.fn() }));

/**
 * Issue 13's authorization matrix, generated from the router: every procedure, and every other
 * API route, called through the real route handlers with a real session of each role on a real
 * database. Refused callers get 401 (signed out) or 403 (role); allowed ones get their answer.
 */
const { db } = temporaryServerDb();
const world = seedWorld(db);
const procedures = routerProcedures();
const routes = await apiRoutes();

const userOf = (caller: Caller) => (caller === "anonymous" ? null : world.people[caller]);
const cookieHeader = (caller: Caller): Record<string, string> => {
  const user = userOf(caller);
  return user ? { cookie: cookieFor(db, user) } : {};
};
const refusal = (caller: Caller) => (caller === "anonymous" ? { status: 401, code: "UNAUTHORIZED" } : { status: 403, code: "FORBIDDEN" });

describe("every procedure declares who may call it", () => {
  it("declares its access through the builder it is made from (meta.access)", () => {
    const undeclared = procedures.filter((p) => !ACCESS_LEVELS.includes(p.access!)).map((p) => p.path);
    expect(undeclared, "make these procedures from publicProcedure, annotatorProcedure, researcherProcedure or adminProcedure (server/trpc.ts)").toEqual([]);
  });

  it("has a case in the matrix, and the matrix has no case for a procedure that is gone", () => {
    const missing = procedures.filter((p) => !(p.path in PROCEDURE_CASES)).map((p) => p.path);
    expect(missing, "add a valid input for each of these to PROCEDURE_CASES in server/security/procedure-cases.fixtures.ts").toEqual([]);
    const stale = Object.keys(PROCEDURE_CASES).filter((path) => !procedures.some((p) => p.path === path));
    expect(stale, "remove these from PROCEDURE_CASES").toEqual([]);
  });

  it("keeps the public surface to the reviewed sign-in procedures", () => {
    const open = procedures.filter((p) => p.access === "public").map((p) => p.path);
    expect(open, "a new public procedure is reachable by anyone: review it, then list it here").toEqual(["auth.setup", "auth.signIn", "auth.status"]);
  });

  it("refuses a procedure whose declaration is missing (the check fails closed)", async () => {
    // The builders always declare; this is the middleware's answer if someone bypasses them.
    const { createTRPCRouter, publicProcedure } = await import("../trpc");
    const undeclared = createTRPCRouter({ probe: publicProcedure.meta({ access: undefined as never }).query(() => "reached") });
    const call = undeclared.createCaller(createInnerContext({ db, user: world.people.admin }));
    await expect(call.probe()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("authorization matrix: each procedure as anonymous, annotator, researcher and admin", () => {
  for (const procedure of procedures)
    for (const caller of CALLERS) {
      const allowed = procedure.access !== undefined && mayCall(procedure.access, caller);
      it(`${procedure.path} (${procedure.access ?? "undeclared"}) as ${caller}: ${allowed ? "allowed" : "refused"}`, async () => {
        const testCase = PROCEDURE_CASES[procedure.path];
        if (!testCase) throw new Error(`${procedure.path} has no case: add a valid input to PROCEDURE_CASES in server/security/procedure-cases.fixtures.ts`);
        const input = testCase.input(world, userOf(caller) ?? world.people.otherAnnotator);
        const answer = await callTrpc(procedure, input, cookieHeader(caller));
        if (!allowed) expect({ status: answer.status, code: answer.code }).toEqual(refusal(caller));
        else if (testCase.allowedOutcome) expect(answer.code, testCase.allowedOutcome.why).toBe(testCase.allowedOutcome.code);
        else expect({ status: answer.status, code: answer.code, message: answer.message }).toEqual({ status: 200, code: null, message: null });
      });
    }
});

describe("authorization matrix: the other API routes", () => {
  it("has a case for every route file and method under app/", () => {
    const missing = routes.map((r) => r.key).filter((key) => !(key in ROUTE_CASES));
    expect(missing, "declare these routes' access in ROUTE_CASES (server/security/api-routes.fixtures.ts)").toEqual([]);
  });

  for (const route of routes) {
    const routeCase = ROUTE_CASES[route.key];
    if (typeof routeCase !== "object") continue;
    for (const caller of CALLERS) {
      const allowed = mayCall(routeCase.access, caller);
      it(`${route.key} (${routeCase.access}) as ${caller}: ${allowed ? "allowed" : "refused"}`, async () => {
        const response = await route.handler(routeCase.request(world, { user: userOf(caller), cookie: cookieHeader(caller).cookie ?? "" }));
        const body = await response.text(); // read to the end: an import runs while its answer streams
        if (!allowed) expect(response.status).toBe(refusal(caller).status);
        else expect({ status: response.status, failed: /"type":"error"/.test(body) }).toEqual({ status: 200, failed: false });
      });
    }
  }
});

describe("auth.setup", () => {
  it("is open to anyone only while the instance has no account, and makes that first account an admin", async () => {
    const empty = createTestDb().db;
    const anonymous = createCaller(createInnerContext({ db: empty, user: null }));
    await expect(anonymous.auth.setup({ username: "first", password: "password1" })).resolves.toMatchObject({ role: "admin" });
    await expect(anonymous.auth.setup({ username: "second", password: "password1" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
