import path from "node:path";
import fs from "node:fs";
import os from "node:os";
import { beforeAll, describe, expect, it } from "vitest";

// The real route handlers, on a real temporary database: status codes as a browser sees them.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-http-"));
process.env.PREFLAB_DB = path.join(dir, "preflab.db");

const { getServerDb } = await import("./db");
const { createSession, createUser, SESSION_COOKIE } = await import("./services/auth");
const trpcRoute = await import("../app/api/trpc/[trpc]/route");
const importRoute = await import("../app/api/import/route");
const exportRoute = await import("../app/api/export/route");

let researcherCookie = "";
let annotatorCookie = "";

beforeAll(() => {
  const db = getServerDb();
  const researcher = createUser(db, { username: "rita", password: "password1", role: "researcher" });
  const annotator = createUser(db, { username: "anna", password: "password1", role: "annotator" });
  researcherCookie = `${SESSION_COOKIE}=${createSession(db, researcher.id).token}`;
  annotatorCookie = `${SESSION_COOKIE}=${createSession(db, annotator.id).token}`;
});

const base = "http://127.0.0.1:3000";
const trpcPost = (procedure: string, input: unknown, headers: Record<string, string> = {}) =>
  trpcRoute.POST(new Request(`${base}/api/trpc/${procedure}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ json: input }) }));

describe("HTTP status codes", () => {
  it("answers invalid tRPC input with 400 and the zod message, never 500", async () => {
    const res = await trpcPost("projects.create", { name: "" }, { cookie: researcherCookie });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("Name the project");
  });

  it("answers 401 signed out, 403 for the wrong role, 404 for an unknown procedure", async () => {
    expect((await trpcPost("projects.create", { name: "x" })).status).toBe(401);
    expect((await trpcPost("projects.create", { name: "x" }, { cookie: annotatorCookie })).status).toBe(403);
    expect((await trpcPost("projects.nope", {}, { cookie: researcherCookie })).status).toBe(404);
  });

  it("refuses a cross-site POST even with a valid session cookie", async () => {
    const res = await trpcPost("projects.create", { name: "csrf" }, { cookie: researcherCookie, origin: "https://evil.example", host: "127.0.0.1:3000" });
    expect(res.status).toBe(403);
  });

  it("validates upload and download parameters with 4xx messages", async () => {
    const upload = await importRoute.POST(new Request(`${base}/api/import?project=&format=zip`, { method: "POST", headers: { cookie: researcherCookie }, body: "x" }));
    expect(upload.status).toBe(400);
    expect((await upload.json()).error).toMatch(/project|format/);
    const forbidden = await importRoute.POST(new Request(`${base}/api/import?project=p`, { method: "POST", headers: { cookie: annotatorCookie }, body: "x" }));
    expect(forbidden.status).toBe(403);
    const download = await exportRoute.GET(new Request(`${base}/api/export?projectId=abc&format=trl`, { headers: { cookie: researcherCookie } }));
    expect(download.status).toBe(400);
    const missing = await exportRoute.GET(new Request(`${base}/api/export?projectId=999&format=trl`, { headers: { cookie: researcherCookie } }));
    expect(missing.status).toBe(404);
  });

  it("streams an upload's report and imports it", async () => {
    const body = `${JSON.stringify({ prompt: "p", chosen: "a", rejected: "b" })}\n`;
    const res = await importRoute.POST(new Request(`${base}/api/import?project=http&fileName=x.jsonl`, { method: "POST", headers: { cookie: researcherCookie }, body }));
    expect(res.status).toBe(200);
    const events = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ type: "report", ok: true, imported: 1, format: "trl" });
  });
});
