/**
 * Real HTTP peers that misbehave as endpoints do in the wild, started on localhost by the tests
 * (node:http, not a mock of preflab's code): one that never answers, one that answers malformed
 * JSON, one that answers HTTP errors, one that fails only for a while. Each counts the requests it
 * got and keeps their bodies and Authorization headers.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Peer {
  url: string;
  requests: Array<{ path: string; body: unknown; authorization: string | undefined }>;
  /** Requests whose connection has closed (answered, or given up by the client). */
  closed: number;
  close(): Promise<void>;
}

type Handle = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

export async function startPeer(handle: Handle): Promise<Peer> {
  const requests: Peer["requests"] = [];
  const server = http.createServer((req, res) => {
    res.once("close", () => peer.closed++);
    let raw = "";
    req.setEncoding("utf8").on("data", (c: string) => (raw += c)).on("end", () => {
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept as text
      }
      requests.push({ path: req.url ?? "", body, authorization: req.headers.authorization });
      handle(req, res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const peer: Peer = {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    closed: 0,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  return peer;
}

/** Accepts the request and never answers. */
export const silentPeer = () => startPeer(() => {});

export const malformedJsonPeer = () => startPeer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end('{"choices": [{"text": "half an answer"');
});

export const httpErrorPeer = (status: number, body: string) => startPeer((_req, res) => {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(body);
});

/** A completions answer, OpenAI's shape. */
export function completionAnswer(text: string) {
  return JSON.stringify({ id: "cmpl-peer", object: "text_completion", created: 0, model: "peer", choices: [{ index: 0, text, logprobs: null, finish_reason: "length" }] });
}

/** Fails (HTTP `status`) on the requests `failing` says, answers "answer <n>" on the others. */
export const flakyPeer = (failing: (n: number) => boolean, status = 503) => startPeer((_req, res, n) => {
  if (failing(n)) {
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(`overloaded (request ${n})`);
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(completionAnswer(`answer ${n}`));
});

/** Streams `pieces` as chat chunks, then whatever `tail` is (default: [DONE]); `tail` null: never ends. */
export const streamingChatPeer = (pieces: string[], tail: string | null = "data: [DONE]\n\n") => startPeer((_req, res) => {
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const [i, content] of pieces.entries())
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: i === 0 ? { role: "assistant", content } : { content }, finish_reason: null }] })}\n\n`);
  if (tail !== null) res.end(tail);
});
