import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

// The real tRPC route handler on a real temporary database: what the launch form receives.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-runs-http-"));
process.env.PREFLAB_DB = path.join(dir, "preflab.db");

const { getServerDb } = await import("../db");
const { createSession, createUser, SESSION_COOKIE } = await import("../services/auth");
const { ensureProject } = await import("../services/projects");
const trpcRoute = await import("../../app/api/trpc/[trpc]/route");

let cookie = "";
let projectId = 0;

beforeAll(() => {
  const db = getServerDb();
  const researcher = createUser(db, { username: "rita", password: "password1", role: "researcher" });
  cookie = `${SESSION_COOKIE}=${createSession(db, researcher.id).token}`;
  projectId = ensureProject(db, "p", null).id;
});

const create = (config: Record<string, unknown>) =>
  trpcRoute.POST(new Request("http://127.0.0.1:3000/api/trpc/runs.create", {
    method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify({ json: { kind: "dpo", projectId, config } }),
  }));

describe("runs.create over HTTP", () => {
  it("refuses a bad config with 400 and each bad field's path and message in data.fieldIssues, queueing nothing", async () => {
    const res = await create({ beta: 0, evaluation: { prompts: -1 } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { json: { message: string; data: { fieldIssues: unknown } } } };
    expect(body.error.json.message).toMatch(/^Invalid dpo config: /);
    expect(body.error.json.data.fieldIssues).toEqual([
      { path: ["evaluation", "prompts"], message: "Too small: expected number to be >=0" },
      { path: ["beta"], message: "Too small: expected number to be >0" },
    ]);
    expect(getServerDb().$client.prepare("select count(*) as n from training_runs").get()).toEqual({ n: 0 });
  });
});
