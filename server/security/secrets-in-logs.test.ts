import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../db/client";
import { startServerProcess, type ServerProcess } from "../faults/faults.fixtures";
import { MAX_FAILURES_PER_ACCOUNT } from "../services/login-limit";

/**
 * Passwords and session tokens never reach the server's output: the API server runs as its own
 * process (server/faults/api-server-process.ts: the real route handlers over node:http) while people
 * set it up, sign in (wrongly, too often, rightly), label and sign out, and while its database fails
 * under a sign-in and under a signed-in request, which sends those errors to the log. Then
 * everything it wrote to stdout and stderr is searched for the secrets.
 */
const SECRETS = { admin: "admin-Secret-Pw-1xq", annotator: "annotator-Secret-Pw-2zr", locked: "locked-Secret-Pw-4mw", guess: "wrong-Guess-Pw-3kv" };
const tokens: string[] = [];
let server: ServerProcess;
let db: Db;
let output = "";

beforeAll(async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflab-logs-")), "preflab.db");
  db = openDatabase(file); // migrated here; the server opens its own connection
  server = await startServerProcess(file);
  for (const stream of [server.child.stdout!, server.child.stderr!]) stream.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
});
afterAll(async () => {
  await server?.stop();
});

async function call(procedure: string, input: unknown, opts: { cookie?: string; address?: string; query?: boolean } = {}) {
  const headers: Record<string, string> = { "x-forwarded-for": opts.address ?? "127.0.0.1", ...(opts.cookie ? { cookie: opts.cookie } : {}) };
  const encoded = JSON.stringify({ json: input });
  const res = opts.query
    ? await fetch(`${server.url}/api/trpc/${procedure}?input=${encodeURIComponent(encoded)}`, { headers })
    : await fetch(`${server.url}/api/trpc/${procedure}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: encoded });
  const session = /preflab_session=([^;]+)/.exec(res.headers.getSetCookie().join("\n"))?.[1];
  if (session) tokens.push(session);
  const body = (await res.json()) as { result?: { data?: { json?: unknown } } };
  return { status: res.status, data: body.result?.data?.json, cookie: session ? `preflab_session=${session}` : undefined };
}

describe("the server's output", () => {
  it("holds no password and no session token after setup, sign-ins, labeling, a database failure and sign-out", async () => {
    const admin = await call("auth.setup", { username: "log-admin", password: SECRETS.admin });
    expect(admin.status).toBe(200);
    for (const [username, password] of [["log-annotator", SECRETS.annotator], ["log-locked", SECRETS.locked]])
      await call("users.create", { username, password, role: "annotator" }, { cookie: admin.cookie });
    const upload = await fetch(`${server.url}/api/import?project=logs&fileName=tasks.jsonl`, {
      method: "POST",
      headers: { cookie: admin.cookie!, "content-type": "application/octet-stream" },
      body: `${JSON.stringify({ prompt: "Review:", completions: ["good film", "bad film"] })}\n`,
    });
    const report = JSON.parse((await upload.text()).trim().split("\n").at(-1)!) as { projectId: number };

    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) await call("auth.signIn", { username: "log-locked", password: SECRETS.guess });
    expect((await call("auth.signIn", { username: "log-locked", password: SECRETS.locked })).status).toBe(429);
    const { cookie: session } = await call("auth.signIn", { username: "log-annotator", password: SECRETS.annotator }, { address: "10.9.0.1" });

    const next = await call("labeling.next", { projectId: report.projectId }, { cookie: session });
    const taskId = (next.data as { task: { taskId: number } }).task.taskId;
    expect((await call("labeling.submit", { taskId, idempotencyKey: "log-key-00001", answer: { kind: "pair", outcome: "tie" } }, { cookie: session })).status).toBe(200);

    // Failing queries are logged with the error and its stack: a sign-in whose session insert
    // fails (the password is in that request's input) and a signed-in request whose session lookup fails.
    db.$client.exec("CREATE TRIGGER refuse_sessions BEFORE INSERT ON sessions BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    const failedSignIn = await call("auth.signIn", { username: "log-admin", password: SECRETS.admin }, { address: "10.9.0.2" });
    db.$client.exec("DROP TRIGGER refuse_sessions; ALTER TABLE sessions RENAME TO sessions_away");
    const failedLookup = await call("auth.status", undefined, { cookie: session, query: true });
    db.$client.exec("ALTER TABLE sessions_away RENAME TO sessions");
    expect([failedSignIn.status, failedLookup.status].every((s) => s >= 500)).toBe(true);
    // The logging paths ran, and this test saw what they wrote.
    expect(output).toMatch(/tRPC auth\.signIn: .*refused by the test/);
    expect(output).toMatch(/no such table: sessions/);

    await call("auth.signOut", {}, { cookie: session });
    await server.stop();
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    for (const secret of [...Object.values(SECRETS), ...tokens, ...tokens.map(encodeURIComponent)])
      expect(output.includes(secret), `the server's output contains "${secret}"`).toBe(false);
  });
});
