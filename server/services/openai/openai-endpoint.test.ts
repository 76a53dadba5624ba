import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSseData } from "../../../core/openai/sse";
import { openOnnxCheckpoint, type OnnxLanguageModel } from "../../../trainer/onnx/checkpoint";
import { continuePrompt } from "../../../trainer/sample/executor";
import { createSession, SESSION_COOKIE } from "../auth";
import { addUser } from "../tasks-fixtures";
import { startServedPreflab } from "./served.fixtures";

/**
 * preflab's OpenAI-compatible endpoint through the real route handlers over real HTTP: what an
 * OpenAI client sends, what it gets back (whole and streamed), who may call it, and that its
 * answers are the policy's own draws (the same as a sample run's for the same seed).
 */
let served: Awaited<ReturnType<typeof startServedPreflab>>;
let model: OnnxLanguageModel;
beforeAll(async () => {
  served = await startServedPreflab();
  model = await openOnnxCheckpoint(served.builtin.path!, { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await served?.server.close();
  await model?.lm.release();
});

/** The built-in policy's continuation drawn directly on ONNX Runtime, as a sample run draws it. */
const direct = async (prompt: string, seed: number, maxNewTokens: number) => (await continuePrompt(model, prompt, [{ temperature: 1, maxNewTokens, seed }]))[0]!.text;

async function events(response: Response): Promise<string[]> {
  const out: string[] = [];
  for await (const data of readSseData(response.body!)) out.push(data);
  return out;
}

describe("who may call /v1", () => {
  it("refuses anonymous callers, unknown tokens and annotators, with OpenAI's error shape", async () => {
    const anonymous = await fetch(`${served.v1}/models`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { type: "authentication_error", message: expect.stringMatching(/API token/) } });
    expect((await fetch(`${served.v1}/models`, { headers: { authorization: "Bearer pfl_not-a-token" } })).status).toBe(401);
    const annotator = addUser(served.db, "v1-annotator");
    const cookie = `${SESSION_COOKIE}=${createSession(served.db, annotator.id).token}`;
    const refused = await fetch(`${served.v1}/models`, { headers: { cookie } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain("builtin@1");
  });

  it("serves a signed-in researcher's session from this site, and refuses it cross-site", async () => {
    const cookie = `${SESSION_COOKIE}=${createSession(served.db, served.researcher.id).token}`;
    expect((await fetch(`${served.v1}/models`, { headers: { cookie } })).status).toBe(200);
    const crossSite = await served.post("/completions", { model: "builtin@1", prompt: "x", max_tokens: 1 }, { cookie, origin: "http://evil.example", "sec-fetch-site": "cross-site" });
    expect(crossSite.status).toBe(403);
  });
});

describe("GET /v1/models", () => {
  it("lists the policy versions with a checkpoint as name@version", async () => {
    const res = await fetch(`${served.v1}/models`, { headers: { authorization: `Bearer ${served.token}` } });
    expect(await res.json()).toEqual({ object: "list", data: [{ id: "builtin@1", object: "model", created: expect.any(Number), owned_by: "preflab" }] });
  });
});

describe("POST /v1/completions", () => {
  it("answers n choices, choice i drawn with seed + i: the policy's own continuations, with usage", async () => {
    const res = await served.post("/completions", { model: "builtin@1", prompt: "The film was", max_tokens: 8, seed: 5, n: 2 });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ object: "text_completion", model: "builtin@1", id: expect.stringMatching(/^cmpl-/) });
    expect(body.choices.map((c: { text: string }) => c.text)).toEqual([await direct("The film was", 5, 8), await direct("The film was", 6, 8)]);
    expect(body.choices.map((c: { index: number }) => c.index)).toEqual([0, 1]);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it("streams the same answer as server-sent events: deltas, a finish reason, then [DONE]", async () => {
    const res = await served.post("/completions", { model: "builtin", prompt: "The film was", max_tokens: 10, seed: 9, stream: true });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const data = await events(res);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.object === "text_completion" && c.model === "builtin@1")).toBe(true);
    expect(chunks.map((c) => c.choices[0].text).join("")).toBe(await direct("The film was", 9, 10));
    expect(chunks.at(-1).choices[0].finish_reason).toMatch(/^(stop|length)$/);
    expect(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null)).toBe(true);
  });

  it("says what is wrong: an unknown model (404), a bad field (400, named), a body that is not JSON", async () => {
    const unknown = await served.post("/completions", { model: "gpt-9", prompt: "x" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { type: "model_not_found", message: expect.stringContaining("GET /v1/models") } });
    const bad = await served.post("/completions", { model: "builtin@1", prompt: "x", max_tokens: -1 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/max_tokens/);
    expect((await served.post("/completions", "{not json")).status).toBe(400);
  });
});

describe("POST /v1/chat/completions", () => {
  const messages = [{ role: "user", content: "Tell me about the film." }];

  it("answers with an assistant message through the chat template, whole or streamed alike", async () => {
    const whole = await (await served.post("/chat/completions", { model: "builtin@1", messages, max_tokens: 12, seed: 3 })).json();
    expect(whole).toMatchObject({ object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: expect.any(String) }, finish_reason: expect.stringMatching(/^(stop|length)$/) }] });
    const data = await events(await served.post("/chat/completions", { model: "builtin@1", messages, max_tokens: 12, seed: 3, stream: true }));
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks[0]).toMatchObject({ object: "chat.completion.chunk", choices: [{ delta: { role: "assistant" } }] });
    expect(chunks.map((c) => c.choices[0].delta.content ?? "").join("")).toBe(whole.choices[0].message.content);
    expect(data.at(-1)).toBe("[DONE]");
  });

  it("takes content given as OpenAI's list of text parts", async () => {
    const parts = [{ role: "user", content: [{ type: "text", text: "Tell me about the film." }] }];
    const a = await (await served.post("/chat/completions", { model: "builtin@1", messages: parts, max_tokens: 6, seed: 1 })).json();
    const b = await (await served.post("/chat/completions", { model: "builtin@1", messages, max_tokens: 6, seed: 1 })).json();
    expect(a.choices[0].message.content).toBe(b.choices[0].message.content);
  });
});
