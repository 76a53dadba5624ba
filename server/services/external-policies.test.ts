import { afterAll, describe, expect, it } from "vitest";
import { flakyPeer, type Peer } from "../../core/openai/peers.fixtures";
import { createTestDb } from "../../db/testing";
import { createCaller } from "../root";
import { createInnerContext } from "../trpc";
import { builtinCopy } from "./battles/battles.fixtures";
import { ensureProject } from "./projects";
import { addUser } from "./tasks-fixtures";

const peers: Peer[] = [];
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
});

const KEY = "sk-live-KEEP-THIS-SECRET";

describe("external policies' API keys", () => {
  it("go to the endpoint as a bearer token and into no answer of the API: registration, listings, lineage, candidates, a failed check", async () => {
    const { db } = createTestDb();
    const researcher = addUser(db, "keys-researcher", "researcher");
    const api = createCaller(createInnerContext({ db, user: researcher }));
    const projectId = ensureProject(db, "keys", researcher.id).id;
    builtinCopy(db, projectId, "local");
    const peer = await flakyPeer((n) => n === 2, 500);
    peers.push(peer);
    const registered = await api.endpoints.register({ projectId, name: "remote", url: peer.url, model: "m", apiKey: KEY, retries: 0 });
    expect(registered).toMatchObject({ label: "remote@1", hasApiKey: true });

    const ok = await api.endpoints.check({ policyId: registered.id });
    expect(ok).toMatchObject({ ok: true, text: "answer 1" });
    expect(peer.requests[0]!.authorization).toBe(`Bearer ${KEY}`);
    const failed = await api.endpoints.check({ policyId: registered.id });
    expect(failed).toMatchObject({ ok: false, error: 'policy remote@1 (id 2): HTTP 500 Internal Server Error: "overloaded (request 2)"' });

    const answers = [registered, ok, failed, await api.endpoints.list({ projectId }), await api.lineage.tree({ projectId }), await api.battles.candidates({ projectId }), await api.evaluations.policies({ projectId })];
    for (const answer of answers) expect(JSON.stringify(answer)).not.toContain(KEY);
  });
});
