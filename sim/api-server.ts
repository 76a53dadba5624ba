// Serves preflab's real API route handlers (app/api/**/route.ts: tRPC, upload, download, battles;
// app/v1/**/route.ts: the OpenAI-compatible endpoint) from a
// node:http server in this process, so the simulated annotator and the demo loop go through the
// same HTTP path, cookies and cross-site checks as a browser, without a Next.js build. The
// handlers read the database named by PREFLAB_DB (server/db.ts keeps one connection per process).
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { streamChunks } from "../core/openai/sse";

type Handler = (req: Request) => Response | Promise<Response>;
interface RouteModule { GET?: Handler; POST?: Handler }

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

async function routes(): Promise<Array<[prefix: string, module: RouteModule]>> {
  return [
    ["/api/trpc/", await import("../app/api/trpc/[trpc]/route")],
    ["/api/import", await import("../app/api/import/route")],
    ["/api/export", await import("../app/api/export/route")],
    ["/api/battles", await import("../app/api/battles/route")],
    ["/v1/models", await import("../app/v1/models/route")],
    ["/v1/completions", await import("../app/v1/completions/route")],
    ["/v1/chat/completions", await import("../app/v1/chat/completions/route")],
  ];
}

/** The request as a route handler sees it; its signal aborts when the client goes away before the answer ends. */
async function toRequest(req: http.IncomingMessage, res: http.ServerResponse, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks);
  const gone = new AbortController();
  res.once("close", () => res.writableFinished || gone.abort());
  return new Request(new URL(req.url ?? "/", origin), { method: req.method, headers, body, signal: gone.signal });
}

async function send(res: http.ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  // Streamed as the handler writes it (server-sent events must arrive as they are made); a client
  // that goes away stops the reading, which cancels the handler's stream.
  if (response.body)
    for await (const chunk of streamChunks(response.body)) {
      if (res.destroyed) break;
      if (!res.write(chunk)) await new Promise((resolve) => (res.once("drain", resolve), res.once("close", resolve)));
    }
  res.end();
}

/**
 * Starts the API on `host:port` (port 0: an ephemeral one). `dbFile`, when given, must be the
 * database the handlers use: PREFLAB_DB is set to it unless this process already opened another,
 * which is refused rather than serving the wrong data.
 */
export async function startApiServer(options: { host?: string; port?: number; dbFile?: string } = {}): Promise<ApiServer> {
  if (options.dbFile) useDatabaseFile(options.dbFile);
  const table = await routes();
  const { getServerDb } = await import("../server/db");
  if (options.dbFile && path.resolve(getServerDb().$client.name) !== path.resolve(options.dbFile))
    throw new Error(`this process already serves ${getServerDb().$client.name}, not ${options.dbFile}`);
  const host = options.host ?? "127.0.0.1";
  const server = http.createServer((req, res) => {
    void (async () => {
      const origin = `http://${req.headers.host ?? host}`;
      const pathname = new URL(req.url ?? "/", origin).pathname;
      const handler = table.find(([prefix]) => pathname.startsWith(prefix))?.[1][req.method as "GET" | "POST"];
      if (!handler) return send(res, Response.json({ error: "Not found." }, { status: 404 }));
      await send(res, await handler(await toRequest(req, res, origin)));
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function useDatabaseFile(file: string): void {
  const opened = (globalThis as { preflabDb?: { $client: { name: string } } }).preflabDb;
  if (!opened) process.env.PREFLAB_DB = file;
}
