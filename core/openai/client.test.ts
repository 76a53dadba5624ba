import { afterEach, describe, expect, it } from "vitest";
import { endpointConfigSchema } from "../../db/types";
import { callEndpoint, endpointUrl, EndpointError, type EndpointTarget } from "./client";
import { flakyPeer, httpErrorPeer, malformedJsonPeer, silentPeer, startPeer, streamingChatPeer, type Peer } from "./peers.fixtures";

const peers: Peer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});
const keep = async (peer: Promise<Peer>) => {
  const p = await peer;
  peers.push(p);
  return p;
};

const target = (url: string, config: Record<string, unknown> = {}, apiKey: string | null = null): EndpointTarget => ({
  label: "peer@1 (id 7)", baseUrl: url, apiKey, config: endpointConfigSchema.parse({ model: "peer-model", retries: 0, timeoutSeconds: 5, ...config }),
});
const ask = { prompt: "The film", maxTokens: 8, temperature: 1, seed: 3 };

async function failure(promise: Promise<unknown>): Promise<EndpointError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(EndpointError);
  return error as EndpointError;
}

describe("endpointUrl", () => {
  it("adds /v1 when the base URL lacks it, and the mode's path", () => {
    expect(endpointUrl("http://h:8000", "completions")).toBe("http://h:8000/v1/completions");
    expect(endpointUrl("http://h:11434/v1/", "chat")).toBe("http://h:11434/v1/chat/completions");
  });
});

describe("callEndpoint against misbehaving peers", () => {
  it("gives up on a peer that never answers after the timeout, naming the policy and the seconds", async () => {
    const peer = await keep(silentPeer());
    const error = await failure(callEndpoint(target(peer.url, { timeoutSeconds: 1 }), ask));
    expect(error.message).toBe("policy peer@1 (id 7): timed out after 1 s");
    expect(peer.requests).toHaveLength(1);
  });

  it("retries a timeout as configured and says how many attempts it made", async () => {
    const peer = await keep(silentPeer());
    const error = await failure(callEndpoint(target(peer.url, { timeoutSeconds: 1, retries: 1 }), ask));
    expect(error.message).toBe("policy peer@1 (id 7): timed out after 1 s (2 attempts)");
    expect(peer.requests).toHaveLength(2);
  });

  it("reports malformed JSON with the parser's words and the start of the body, without retrying", async () => {
    const peer = await keep(malformedJsonPeer());
    const error = await failure(callEndpoint(target(peer.url, { retries: 2 }), ask));
    expect(error.message).toMatch(/^policy peer@1 \(id 7\): malformed JSON in the answer \(.+\): "\{\\"choices\\": \[\{\\"text\\": \\"half an answer\\""$/);
    expect(peer.requests).toHaveLength(1);
  });

  it("reports an HTTP 500 with its status and body excerpt after retrying it", async () => {
    const peer = await keep(httpErrorPeer(500, `model crashed: ${"x".repeat(400)}`));
    const error = await failure(callEndpoint(target(peer.url, { retries: 2 }), ask));
    expect(error.message).toBe(`policy peer@1 (id 7): HTTP 500 Internal Server Error: "model crashed: ${"x".repeat(185)}…" (3 attempts)`);
    expect(peer.requests).toHaveLength(3);
  });

  it("does not retry a 4xx: the request itself is wrong", async () => {
    const peer = await keep(httpErrorPeer(400, '{"error":{"message":"unknown model"}}'));
    const error = await failure(callEndpoint(target(peer.url, { retries: 2 }), ask));
    expect(error.reason).toBe('HTTP 400 Bad Request: "{\\"error\\":{\\"message\\":\\"unknown model\\"}}"');
    expect(peer.requests).toHaveLength(1);
  });

  it("succeeds once a 503 passes, within the retries", async () => {
    const peer = await keep(flakyPeer((n) => n <= 2));
    const answer = await callEndpoint(target(peer.url, { retries: 2 }), ask);
    expect(answer).toEqual({ text: "answer 3", finishReason: "length", attempts: 3 });
  });

  it("says it cannot reach a port where nothing listens", async () => {
    const peer = await startPeer(() => {});
    await peer.close(); // the port is free again: connections are refused
    const error = await failure(callEndpoint(target(peer.url), ask));
    expect(error.reason).toBe(`cannot reach ${peer.url}/completions (ECONNREFUSED)`);
  });

  it("reports an answer of the wrong shape by the field that is wrong", async () => {
    const peer = await keep(startPeer((_req, res) => res.end(JSON.stringify({ choices: [] }))));
    const error = await failure(callEndpoint(target(peer.url), ask));
    expect(error.reason).toMatch(/^unexpected answer: choices: /);
  });
});

describe("callEndpoint: what it sends and streams", () => {
  it("sends the model, the sampling parameters and the API key as a bearer token", async () => {
    const peer = await keep(flakyPeer(() => false));
    await callEndpoint(target(peer.url, {}, "sk-secret"), { ...ask, topP: 0.9, stop: ["\n"] });
    expect(peer.requests).toEqual([{ path: "/v1/completions", authorization: "Bearer sk-secret", body: { model: "peer-model", prompt: "The film", max_tokens: 8, temperature: 1, top_p: 0.9, seed: 3, stop: ["\n"], stream: false } }]);
  });

  it("renders a conversation with the chat template for a completions endpoint, stopping at the next turn", async () => {
    const peer = await keep(flakyPeer(() => false));
    await callEndpoint(target(peer.url), { messages: [{ role: "user", content: "Hi" }], maxTokens: 4, temperature: 0 });
    expect(peer.requests[0]!.body).toMatchObject({ prompt: "User: Hi\n\nAssistant:", stop: ["\nUser:", "\nSystem:", "\nAssistant:"] });
  });

  it("streams a chat answer delta by delta (leading space dropped) and returns it whole", async () => {
    const peer = await keep(streamingChatPeer([" Hello", ",", " world"]));
    const seen: string[] = [];
    const answer = await callEndpoint(target(peer.url, { mode: "chat" }), { prompt: "Hi", maxTokens: 8, temperature: 1 }, { onDelta: (d) => seen.push(d) });
    expect(seen).toEqual(["Hello", ",", " world"]);
    expect(answer.text).toBe("Hello, world");
    expect(peer.requests[0]!.body).toMatchObject({ messages: [{ role: "user", content: "Hi" }], stream: true });
  });

  it("fails on a malformed stream event, naming the event, and does not retry what it already showed", async () => {
    const peer = await keep(streamingChatPeer(["Hel"], "data: {broken\n\n"));
    const seen: string[] = [];
    const error = await failure(callEndpoint(target(peer.url, { mode: "chat", retries: 3 }), { prompt: "Hi", maxTokens: 8, temperature: 1 }, { onDelta: (d) => seen.push(d) }));
    expect(error.reason).toMatch(/^malformed JSON in stream event 2 \(.+\): "\{broken"$/);
    expect(seen).toEqual(["Hel"]);
    expect(peer.requests).toHaveLength(1);
  });

  it("stops at once when the caller aborts, without an EndpointError", async () => {
    const peer = await keep(silentPeer());
    const abort = new AbortController();
    const call = callEndpoint(target(peer.url, { timeoutSeconds: 60, retries: 3 }), ask, { signal: abort.signal });
    await expect.poll(() => peer.requests.length).toBe(1);
    abort.abort();
    const error = await call.then(() => null, (e: unknown) => e);
    expect(error).not.toBeInstanceOf(EndpointError);
    expect((error as Error).name).toBe("AbortError");
  });
});
