/**
 * preflab's own OpenAI-compatible endpoint, served by the real route handlers over real HTTP
 * (sim/api-server.ts) on a fresh database, with a researcher, their API token and the built-in
 * policy: the peer the /v1 tests and the external-policy tests talk to.
 */
import { ensureBuiltinPolicy } from "../../../core/policy-versions";
import { createTestDb } from "../../../db/testing";
import { startApiServer } from "../../../sim/api-server";
import { getServerDb } from "../../db";
import { createApiToken } from "../api-tokens";
import { addUser } from "../tasks-fixtures";

export async function startServedPreflab() {
  const { file } = createTestDb();
  const server = await startApiServer({ dbFile: file });
  const db = getServerDb();
  const researcher = addUser(db, "v1-researcher", "researcher");
  const { token } = createApiToken(db, researcher.id, "tests");
  const builtin = ensureBuiltinPolicy(db);
  const v1 = `${server.url}/v1`;
  const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
    fetch(`${v1}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { server, db, file, researcher, token, builtin, v1, post };
}
