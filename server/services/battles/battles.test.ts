import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpErrorPeer, streamingChatPeer, type Peer } from "../../../core/openai/peers.fixtures";
import { readSseData } from "../../../core/openai/sse";
import { battles, completions, judgements, policies, prompts, tasks } from "../../../db/schema";
import { createTestDb } from "../../../db/testing";
import { startApiServer, type ApiServer } from "../../../sim/api-server";
import { getServerDb } from "../../db";
import { createCaller } from "../../root";
import { createInnerContext } from "../../trpc";
import { createSession, SESSION_COOKIE } from "../auth";
import { exporters } from "../export/formats";
import { registerEndpointPolicy } from "../external-policies";
import { projectLeaderboard } from "../leaderboard";
import { addUser } from "../tasks-fixtures";
import { battleProject, builtinCopy, sideText, streamTurn, type BattleEvent } from "./battles.fixtures";

/**
 * Live battles through the real route handler over real HTTP and the real vote procedure: two
 * hidden policies stream side by side, the vote writes one finished pair task with its judgement
 * (nothing before it), reveals the names, and a follow-up continues the conversation; a side that
 * fails, even mid-answer, voids the battle and writes nothing.
 */
let server: ApiServer;
const peers: Peer[] = [];
const { file } = createTestDb();
beforeAll(async () => {
  server = await startApiServer({ dbFile: file });
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await server?.close();
});
const db = () => getServerDb();

let people = 0;
function annotator() {
  const user = addUser(db(), `battler-${++people}`);
  return { user, cookie: `${SESSION_COOKIE}=${createSession(db(), user.id).token}`, api: createCaller(createInnerContext({ db: db(), user })) };
}

const counts = (projectId: number) => ({
  prompts: db().select().from(prompts).where(eq(prompts.projectId, projectId)).all().length,
  tasks: db().select().from(tasks).where(eq(tasks.projectId, projectId)).all().length,
  battles: db().select().from(battles).where(eq(battles.projectId, projectId)).all().length,
  judgements: db().select().from(judgements).innerJoin(tasks, eq(tasks.id, judgements.taskId)).where(eq(tasks.projectId, projectId)).all().length,
});

const ready = (events: BattleEvent[]) => events.find((e): e is Extract<BattleEvent, { type: "ready" }> => e.type === "ready")!.battleId;

describe("a live battle", () => {
  it("streams two hidden answers, writes nothing but the pending turn until the vote, then one judged pair task and the names", async () => {
    const { projectId, policyIds } = battleProject(db(), "arena-live", (p) => [builtinCopy(db(), p, "hidden-alpha"), builtinCopy(db(), p, "hidden-beta")]);
    const me = annotator();
    const turn = await streamTurn(server.url, me.cookie, { projectId, turn: { kind: "written", text: "Review the film in one line." } });
    expect(turn.status).toBe(200);
    expect(turn.done).toBe(true);
    expect(turn.events[0]).toEqual({ type: "start", messages: [{ role: "user", content: "Review the film in one line." }] });
    expect(turn.events.filter((e) => e.type === "done").map((e) => (e as { side: string }).side).sort()).toEqual(["left", "right"]);
    expect(turn.text).not.toMatch(/hidden-alpha|hidden-beta|policy/i);
    expect(counts(projectId)).toEqual({ prompts: 0, tasks: 0, battles: 1, judgements: 0 });

    const battleId = ready(turn.events);
    const pending = db().select().from(battles).where(eq(battles.id, battleId)).get()!;
    expect([pending.leftText, pending.rightText]).toEqual([sideText(turn.events, "left"), sideText(turn.events, "right")]);
    expect(new Set([pending.leftPolicyId, pending.rightPolicyId])).toEqual(new Set(policyIds));

    const revealed = await me.api.battles.vote({ battleId, outcome: "right", clientSeconds: 4 });
    const label = (id: number) => (id === policyIds[0] ? "hidden-alpha@1" : "hidden-beta@1");
    expect(revealed).toMatchObject({ battleId, left: label(pending.leftPolicyId), right: label(pending.rightPolicyId), replayed: false });
    expect(counts(projectId)).toEqual({ prompts: 1, tasks: 1, battles: 1, judgements: 1 });
    const task = db().select().from(tasks).where(eq(tasks.id, revealed.taskId)).get()!;
    expect(task).toMatchObject({ kind: "pair", status: "complete", judgementCount: 1, requiredJudgements: 1 });
    const shown = task.completionIds.map((id) => db().select().from(completions).where(eq(completions.id, id)).get()!);
    expect(shown.map((c) => [c.policyId, c.text, c.origin])).toEqual([[pending.leftPolicyId, pending.leftText, "policy"], [pending.rightPolicyId, pending.rightText, "policy"]]);
    expect(shown[0]!.samplingParams).toMatchObject({ temperature: 1, maxNewTokens: 8, seed: expect.any(Number) });
    const judgement = db().select().from(judgements).where(eq(judgements.taskId, task.id)).get()!;
    expect(judgement).toMatchObject({ annotatorId: me.user.id, source: "human", outcome: "right", displayOrder: task.completionIds });
    expect(judgement.secondsOnTask).toBe(Math.min(4, judgement.serverSecondsOnTask!)); // a client claims no more time than the server saw
    expect(db().select().from(prompts).where(eq(prompts.id, task.promptId)).get()).toMatchObject({ text: "Review the film in one line.", messages: null });

    // The leaderboard and the export read it like any other judgement.
    expect(projectLeaderboard(db(), projectId, { bootstraps: 10 }).judgements).toBe(1);
    const [row] = [...exporters["trl-conversational"].lines(db(), { projectId })].map((l) => JSON.parse(l));
    expect(row).toMatchObject({ prompt: [{ role: "user", content: "Review the film in one line." }], chosen: [{ role: "assistant", content: pending.rightText }], rejected: [{ role: "assistant", content: pending.leftText }] });
  });

  it("continues the conversation from the preferred answer in a follow-up turn: its own battle and judgement", async () => {
    const { projectId } = battleProject(db(), "arena-follow-up", (p) => [builtinCopy(db(), p, "f-one"), builtinCopy(db(), p, "f-two")]);
    const me = annotator();
    const first = await streamTurn(server.url, me.cookie, { projectId, turn: { kind: "written", text: "Name a film." } });
    const firstId = ready(first.events);
    const early = await streamTurn(server.url, me.cookie, { projectId, turn: { kind: "followUp", battleId: firstId, text: "Why?" } });
    expect(early).toMatchObject({ status: 412, text: expect.stringContaining("Vote on this turn before following it up") });
    await me.api.battles.vote({ battleId: firstId, outcome: "left" });

    const second = await streamTurn(server.url, me.cookie, { projectId, turn: { kind: "followUp", battleId: firstId, text: "Why?" } });
    const conversation = [{ role: "user", content: "Name a film." }, { role: "assistant", content: sideText(first.events, "left") }, { role: "user", content: "Why?" }];
    expect(second.events[0]).toEqual({ type: "start", messages: conversation });
    const vote = await me.api.battles.vote({ battleId: ready(second.events), outcome: "tie" });
    const task = db().select().from(tasks).where(eq(tasks.id, vote.taskId)).get()!;
    const prompt = db().select().from(prompts).where(eq(prompts.id, task.promptId)).get()!;
    expect(prompt.messages).toEqual(conversation);
    expect(prompt.text).toBe(`user: Name a film.\n\nassistant: ${sideText(first.events, "left")}\n\nuser: Why?`);
    const shown = task.completionIds.map((id) => db().select().from(completions).where(eq(completions.id, id)).get()!);
    expect(shown.map((c) => c.messages)).toEqual([[{ role: "assistant", content: sideText(second.events, "left") }], [{ role: "assistant", content: sideText(second.events, "right") }]]);
    expect(counts(projectId)).toEqual({ prompts: 2, tasks: 2, battles: 2, judgements: 2 });
    const csv = [...exporters.csv.lines(db(), { projectId })];
    expect(csv).toHaveLength(3); // header, the first turn's preference, the follow-up's tie
    expect(csv[2]).toMatch(/,tie,/);
  });

  it("starts from a prompt of the project when one is picked, and reuses its row", async () => {
    const { projectId } = battleProject(db(), "arena-picked", (p) => [builtinCopy(db(), p, "p-one"), builtinCopy(db(), p, "p-two")]);
    const promptId = db().insert(prompts).values({ projectId, text: "A prompt from the project" }).returning().get().id;
    const me = annotator();
    expect((await me.api.battles.prompts({ projectId, search: "FROM THE" })).map((p) => p.id)).toEqual([promptId]);
    const turn = await streamTurn(server.url, me.cookie, { projectId, turn: { kind: "picked", promptId } });
    const vote = await me.api.battles.vote({ battleId: ready(turn.events), outcome: "both_bad" });
    expect(db().select().from(tasks).where(eq(tasks.id, vote.taskId)).get()!.promptId).toBe(promptId);
    expect(counts(projectId).prompts).toBe(1);
  });

  it("answers a repeated vote with the same reveal, refuses a different one, and another annotator's vote", async () => {
    const { projectId } = battleProject(db(), "arena-votes", (p) => [builtinCopy(db(), p, "v-one"), builtinCopy(db(), p, "v-two")]);
    const me = annotator();
    const battleId = ready((await streamTurn(server.url, me.cookie, { projectId, turn: { kind: "written", text: "Hello" } })).events);
    const other = annotator();
    await expect(other.api.battles.vote({ battleId, outcome: "left" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const first = await me.api.battles.vote({ battleId, outcome: "left" });
    expect(await me.api.battles.vote({ battleId, outcome: "left" })).toEqual({ ...first, replayed: true });
    await expect(me.api.battles.vote({ battleId, outcome: "right" })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(counts(projectId).judgements).toBe(1);
  });

  it("refuses a project that is not in battle mode and one with fewer than two policies, before streaming", async () => {
    const me = annotator();
    const { projectId: off } = battleProject(db(), "arena-off", (p) => [builtinCopy(db(), p, "o-one"), builtinCopy(db(), p, "o-two")], { enabled: false });
    expect(await streamTurn(server.url, me.cookie, { projectId: off, turn: { kind: "written", text: "Hi" } })).toMatchObject({ status: 412, text: expect.stringContaining("is not a battle project") });
    const imported = (p: number) => db().insert(policies).values({ name: "text-only", kind: "imported", projectId: p }).returning().get().id;
    const { projectId: lonely } = battleProject(db(), "arena-lonely", (p) => [builtinCopy(db(), p, "l-one"), imported(p)]);
    expect(await streamTurn(server.url, me.cookie, { projectId: lonely, turn: { kind: "written", text: "Hi" } })).toMatchObject({ status: 412, text: expect.stringContaining("fewer than two policies") });
    const anonymous = await fetch(`${server.url}/api/battles`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ projectId: off, turn: { kind: "written", text: "Hi" } }) });
    expect(anonymous.status).toBe(401);
  });
});

describe("a battle whose policy fails", () => {
  async function failingBattle(name: string, start: () => Promise<Peer>, config: Record<string, unknown>) {
    const peer = await start();
    peers.push(peer);
    return battleProject(db(), name, (p) => [
      builtinCopy(db(), p, `${name}-local`),
      registerEndpointPolicy(db(), { projectId: p, name: `${name}-endpoint`, url: peer.url, model: "peer", retries: 0, ...config }).id,
    ]);
  }

  it("is void when an endpoint answers an HTTP error: a clear message naming no policy, nothing written", async () => {
    const { projectId } = await failingBattle("arena-500", () => httpErrorPeer(500, "boom"), {});
    const turn = await streamTurn(server.url, annotator().cookie, { projectId, turn: { kind: "written", text: "Hi" } });
    const error = turn.events.at(-1)!;
    expect(error).toEqual({ type: "error", message: expect.stringMatching(/^The (left|right) answer failed: the model's server answered HTTP 500\. This battle is void: nothing was recorded\. Try again, or write another prompt\.$/) });
    expect(turn.text).not.toMatch(/arena-500-|policy/);
    expect(turn.events.some((e) => e.type === "ready")).toBe(false);
    expect(counts(projectId)).toEqual({ prompts: 0, tasks: 0, battles: 0, judgements: 0 });
  });

  it("is void when the annotator leaves mid-answer: the endpoint's request is given up, nothing written", async () => {
    const { projectId } = await failingBattle("arena-left", () => streamingChatPeer(["Still thinking"], null), { mode: "chat", timeoutSeconds: 60 });
    const me = annotator();
    const leave = new AbortController();
    const res = await fetch(`${server.url}/api/battles`, { method: "POST", headers: { cookie: me.cookie, "content-type": "application/json" }, body: JSON.stringify({ projectId, turn: { kind: "written", text: "Hi" } }), signal: leave.signal });
    const seen: string[] = [];
    await expect(async () => {
      for await (const data of readSseData(res.body!)) {
        seen.push(data);
        if (data.includes("Still thinking")) leave.abort(); // the endpoint's side has begun; the annotator closes the tab
      }
    }).rejects.toThrow();
    const peer = peers.at(-1)!;
    await expect.poll(() => peer.closed).toBe(1); // the server stopped waiting for the endpoint
    expect(seen.some((d) => d.includes('"type":"ready"'))).toBe(false);
    expect(counts(projectId)).toEqual({ prompts: 0, tasks: 0, battles: 0, judgements: 0 });
  });

  it("is void when an endpoint breaks mid-answer, after part of it was shown", async () => {
    const { projectId } = await failingBattle("arena-mid", () => streamingChatPeer(["It was", " a fine"], "data: {\"choices\": [oops\n\n"), { mode: "chat" });
    const turn = await streamTurn(server.url, annotator().cookie, { projectId, turn: { kind: "written", text: "Hi" } });
    const sides = db().select().from(policies).where(eq(policies.name, "arena-mid-endpoint")).all();
    expect(sides).toHaveLength(1);
    const failed = (turn.events.at(-1) as { message: string }).message.match(/^The (left|right) answer failed: the model's server sent a malformed answer\./)?.[1] as "left" | "right";
    expect(failed).toBeDefined();
    expect(sideText(turn.events, failed)).toBe("It was a fine");
    expect(counts(projectId)).toEqual({ prompts: 0, tasks: 0, battles: 0, judgements: 0 });
    expect(db().select().from(completions).orderBy(asc(completions.id)).all().filter((c) => c.text === "It was a fine")).toEqual([]);
  });
});
