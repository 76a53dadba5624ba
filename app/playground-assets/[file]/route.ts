import { createReadStream, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { jsonError } from "../../../server/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * onnxruntime-web's WebAssembly runtime for the playground, served from node_modules instead of
 * the CDN transformers.js would fetch it from (no network at run time, and no 100 MB of copies in
 * the repository). Only the single-threaded-capable asyncify build transformers.js loads
 * (env.backends.onnx.wasm.wasmPaths) is served; it is the same for every visitor, like any script.
 */
const PLAYGROUND_ASSETS: Readonly<Record<string, string>> = {
  "ort-wasm-simd-threaded.asyncify.mjs": "text/javascript; charset=utf-8",
  "ort-wasm-simd-threaded.asyncify.wasm": "application/wasm",
};

const DIST = join(process.cwd(), "node_modules", "onnxruntime-web", "dist");

export async function GET(req: Request): Promise<Response> {
  const file = new URL(req.url).pathname.split("/").pop() ?? ""; // not decoded: no served name needs an escape
  const contentType = PLAYGROUND_ASSETS[file];
  if (!contentType) return jsonError(404, `${file} is not a playground asset.`);
  const path = join(DIST, file);
  return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, {
    // The file name changes with nothing but the installed version: revalidate, do not pin.
    headers: { "Content-Type": contentType, "Content-Length": String(statSync(path).size), "Cache-Control": "public, no-cache" },
  });
}
