import fs from "node:fs";
import path from "node:path";
import { ensureBuiltinPolicy } from "../../core/policy-versions";
import type { SessionUser } from "../services/auth";
import type { ProcedureAccess } from "../trpc";
import { bearerOf, securityBattleProject, servedModel } from "./external-world.fixtures";
import { BASE_URL } from "./trpc-http";
import type { World } from "./world.fixtures";

/**
 * The route handlers (every app/**\/route.ts) besides tRPC, which the matrix covers procedure by
 * procedure. Next.js allows a route file no exports of our own, so the access each method
 * checks is declared here; a route file or method missing here fails the matrix.
 */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof HTTP_METHODS)[number];
type RouteHandler = (req: Request) => Promise<Response> | Response;

export interface RouteCase {
  access: ProcedureAccess;
  /** A request that succeeds for a caller with the access, made as `caller` (user null: signed out;
   *  cookie: a fresh session of the user, empty when signed out; routes that take another credential make it here). */
  request: (w: World, caller: { user: SessionUser | null; cookie: string }) => Request;
}

/** What a browser on this site sends with state-changing requests. */
const SAME_ORIGIN = { origin: BASE_URL, host: new URL(BASE_URL).host, "sec-fetch-site": "same-origin" };
let uploads = 0;

export const ROUTE_CASES: Record<string, RouteCase | "tRPC: one case per procedure"> = {
  "GET /api/trpc/[trpc]": "tRPC: one case per procedure",
  "POST /api/trpc/[trpc]": "tRPC: one case per procedure",
  "GET /api/export": {
    access: "researcher",
    request: (w, { cookie }) => new Request(`${BASE_URL}/api/export?projectId=${w.projectId}&format=trl`, { headers: { cookie } }),
  },
  "POST /api/import": {
    access: "researcher",
    request: (_w, { cookie }) =>
      new Request(`${BASE_URL}/api/import?project=sec-import-${++uploads}&fileName=pairs.jsonl`, {
        method: "POST",
        headers: { cookie, ...SAME_ORIGIN },
        body: `${JSON.stringify({ prompt: `p${uploads}`, chosen: "a", rejected: "b" })}\n`,
      }),
  },
  "GET /api/models/[...path]": {
    access: "researcher",
    request: (w, { cookie }) => new Request(`${BASE_URL}/api/models/${ensureBuiltinPolicy(w.db).id}/config.json`, { headers: { cookie } }),
  },
  "POST /api/battles": {
    access: "annotator",
    request: (w, { cookie }) =>
      new Request(`${BASE_URL}/api/battles`, { method: "POST", headers: { cookie, ...SAME_ORIGIN, "content-type": "application/json" }, body: JSON.stringify({ projectId: securityBattleProject(w), turn: { kind: "written", text: "Hi" } }) }),
  },
  // /v1 (the OpenAI-compatible API) as its clients call it: with an API token of the caller's account.
  "GET /v1/models": {
    access: "researcher",
    request: (w, { user }) => new Request(`${BASE_URL}/v1/models`, { headers: bearerOf(w, user) }),
  },
  "POST /v1/completions": {
    access: "researcher",
    request: (w, { user }) =>
      new Request(`${BASE_URL}/v1/completions`, { method: "POST", headers: { ...bearerOf(w, user), "content-type": "application/json" }, body: JSON.stringify({ model: servedModel(w), prompt: "The film", max_tokens: 1 }) }),
  },
  "POST /v1/chat/completions": {
    access: "researcher",
    request: (w, { user }) =>
      new Request(`${BASE_URL}/v1/chat/completions`, { method: "POST", headers: { ...bearerOf(w, user), "content-type": "application/json" }, body: JSON.stringify({ model: servedModel(w), messages: [{ role: "user", content: "Hi" }], max_tokens: 1 }) }),
  },
  "GET /playground-assets/[file]": {
    access: "public",
    request: () => new Request(`${BASE_URL}/playground-assets/ort-wasm-simd-threaded.asyncify.mjs`),
  },
};

export interface ApiRoute {
  key: string;
  handler: RouteHandler;
}

/** Every exported method of every route file under app/, as "METHOD /url/path" (route groups left out). */
export async function apiRoutes(root = path.resolve("app")): Promise<ApiRoute[]> {
  const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => path.basename(f) === "route.ts").sort();
  const routes: ApiRoute[] = [];
  for (const file of files) {
    const mod = (await import(path.join(root, file))) as Partial<Record<Method, RouteHandler>>;
    const urlPath = `/${path.dirname(file).split(path.sep).filter((segment) => !/^\(.*\)$/.test(segment)).join("/")}`;
    for (const method of HTTP_METHODS) if (mod[method]) routes.push({ key: `${method} ${urlPath}`, handler: mod[method]! });
  }
  return routes;
}
