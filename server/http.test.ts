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
});

describe("cross-site policy for state-changing requests", () => {
  const host = "127.0.0.1:3000";
  let n = 0;
  const create = async (headers: Record<string, string>) => {
    const res = await trpcPost("projects.create", { name: `origin-${++n}` }, { cookie: researcherCookie, ...headers });
    return res.status;
  };
  const refused = { status: 403, imported: 0 };
  const imported = { status: 200, imported: 1 };
  const upload = async (headers: Record<string, string>) => {
    const body = `${JSON.stringify({ prompt: "p", chosen: `a${++n}`, rejected: "b" })}\n`;
    const res = await importRoute.POST(new Request(`${base}/api/import?project=origin&fileName=x.jsonl`, { method: "POST", headers: { cookie: researcherCookie, ...headers }, body }));
    // Read to the end: the import runs while the response streams, and the next upload waits for it.
    const last = JSON.parse((await res.text()).trim().split("\n").at(-1)!) as { imported?: number };
    return { status: res.status, imported: last.imported ?? 0 };
  };

  it("refuses any Sec-Fetch-Site other than same-origin or none, with or without Origin", async () => {
    expect(await create({ "sec-fetch-site": "cross-site" })).toBe(403);
    expect(await create({ "sec-fetch-site": "same-site", origin: "http://other.127.0.0.1:3000", host })).toBe(403);
    expect(await create({ "sec-fetch-site": "cross-site", origin: base, host })).toBe(403);
    expect(await upload({ "sec-fetch-site": "cross-site", "content-type": "application/octet-stream" })).toEqual(refused);
  });

  it("accepts a same-origin browser request and a user-initiated one (Sec-Fetch-Site: none)", async () => {
    expect(await create({ "sec-fetch-site": "same-origin", origin: base, host })).toBe(200);
    expect(await create({ "sec-fetch-site": "none" })).toBe(200);
    expect(await upload({ "sec-fetch-site": "same-origin", origin: base, host })).toEqual(imported);
  });

  it("requires a present Origin to name this host, whatever Sec-Fetch-Site says", async () => {
    expect(await create({ origin: "https://evil.example", host })).toBe(403);
    expect(await create({ origin: "null", host })).toBe(403);
    expect(await create({ "sec-fetch-site": "same-origin", origin: "https://evil.example", host })).toBe(403);
    expect(await create({ origin: "https://preflab.example", host: "internal:3000", "x-forwarded-host": "preflab.example" })).toBe(200);
    expect(await upload({ origin: "https://evil.example", host })).toEqual(refused);
  });

  it("lets a client that sends neither header (curl, scripts) through unless its body is a form encoding", async () => {
    expect(await create({})).toBe(200); // application/json, as a tRPC client sends it
    expect(await upload({ "content-type": "application/octet-stream" })).toEqual(imported);
    expect(await upload({ "content-type": "text/plain;charset=UTF-8" })).toEqual(refused);
    expect(await upload({ "content-type": "application/x-www-form-urlencoded" })).toEqual(refused);
    expect(await create({ "content-type": "multipart/form-data; boundary=x" })).toBe(403);
  });
});

describe("route parameters", () => {

  // What a browser on this site sends with its uploads.
  const sameOrigin = { origin: base, host: "127.0.0.1:3000", "sec-fetch-site": "same-origin" };

  it("validates upload and download parameters with 4xx messages", async () => {
    const upload = await importRoute.POST(new Request(`${base}/api/import?project=&format=zip`, { method: "POST", headers: { cookie: researcherCookie, ...sameOrigin }, body: "x" }));
    expect(upload.status).toBe(400);
    expect((await upload.json()).error).toMatch(/project|format/);
    const forbidden = await importRoute.POST(new Request(`${base}/api/import?project=p`, { method: "POST", headers: { cookie: annotatorCookie, ...sameOrigin }, body: "x" }));
    expect(forbidden.status).toBe(403);
    const download = await exportRoute.GET(new Request(`${base}/api/export?projectId=abc&format=trl`, { headers: { cookie: researcherCookie } }));
    expect(download.status).toBe(400);
    const missing = await exportRoute.GET(new Request(`${base}/api/export?projectId=999&format=trl`, { headers: { cookie: researcherCookie } }));
    expect(missing.status).toBe(404);
  });

  it("streams an upload's report and imports it", async () => {
    const body = `${JSON.stringify({ prompt: "p", chosen: "a", rejected: "b" })}\n`;
    const res = await importRoute.POST(new Request(`${base}/api/import?project=http&fileName=x.jsonl`, { method: "POST", headers: { cookie: researcherCookie, ...sameOrigin }, body }));
    expect(res.status).toBe(200);
    const events = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ type: "report", ok: true, imported: 1, format: "trl" });
  });
});
