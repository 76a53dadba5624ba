import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import superjson from "superjson";
import * as trpcRoute from "../../app/api/trpc/[trpc]/route";
import type { Db } from "../../db/client";
import { getServerDb } from "../db";
import type { RouterProcedure } from "./router-procedures";

/** Points the route handlers' database (PREFLAB_DB) at a fresh file; call before the first request. */
export function temporaryServerDb(): { db: Db; file: string } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflab-security-")), "preflab.db");
  process.env.PREFLAB_DB = file;
  const db = getServerDb();
  if (db.$client.name !== file) throw new Error(`the server database was opened before the test pointed it at ${file}`);
  return { db, file };
}

/** Requests go to the real tRPC route handler, as the browser's would: same encoding, same status codes. */
export const BASE_URL = "http://127.0.0.1:3000";

export interface HttpAnswer {
  status: number;
  /** The tRPC error code (UNAUTHORIZED, BAD_REQUEST, ...), or null on success. */
  code: string | null;
  message: string | null;
  /** The decoded result on success. */
  data: unknown;
  headers: Headers;
  text: string;
}

/** Sends an already-encoded input (the JSON text a client would put in the body or the URL). */
export async function sendTrpc(procedure: Pick<RouterProcedure, "path" | "type">, encodedInput: string | undefined, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const url = new URL(`${BASE_URL}/api/trpc/${procedure.path}`);
  const request =
    procedure.type === "query"
      ? (encodedInput !== undefined && url.searchParams.set("input", encodedInput), new Request(url, { headers }))
      : new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: encodedInput ?? "" });
  const response = await (request.method === "GET" ? trpcRoute.GET : trpcRoute.POST)(request);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, ...decode(text) };
}

function decode(text: string): Pick<HttpAnswer, "code" | "message" | "data"> {
  let body: { result?: { data?: unknown }; error?: { json?: { message?: string; data?: { code?: string } } } };
  try {
    body = JSON.parse(text);
  } catch {
    return { code: null, message: text.slice(0, 200), data: undefined }; // not tRPC's JSON: a route-level refusal
  }
  if (body.error) return { code: body.error.json?.data?.code ?? "UNKNOWN", message: body.error.json?.message ?? null, data: undefined };
  const result = body.result?.data as Parameters<typeof superjson.deserialize>[0] | undefined;
  return { code: null, message: null, data: result === undefined ? undefined : superjson.deserialize(result) };
}

/** Calls a procedure with `input` encoded as the tRPC client encodes it (superjson). */
export function callTrpc(procedure: Pick<RouterProcedure, "path" | "type">, input: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return sendTrpc(procedure, input === undefined ? undefined : JSON.stringify(superjson.serialize(input)), headers);
}
