import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { IMPORT_FORMATS } from "../../../db/enums";
import { databaseFault } from "../../../db/errors";
import { getServerDb } from "../../../server/db";
import { isResearcher, isSameOrigin, jsonError, userFromRequest, withDatabaseFaults } from "../../../server/http";
import { importFile } from "../../../server/services/import/run-import";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const query = z.object({
  project: z.string().trim().min(1, "Choose a project name").max(120),
  format: z.enum(["auto", ...IMPORT_FORMATS]).default("auto"),
  skipInvalid: z.enum(["0", "1"]).default("0"),
  fileName: z.string().min(1).max(255).default("upload.jsonl"),
});

/**
 * Upload: the raw file body goes to a temporary file (bounded memory for any size), then the
 * import runs while the response streams its progress as JSON lines, ending with the report.
 */
export const POST = withDatabaseFaults(async (req: Request) => {
  if (!isSameOrigin(req)) return jsonError(403, "Cross-site request refused.");
  const user = userFromRequest(req);
  if (!isResearcher(user)) return jsonError(user ? 403 : 401, "Importing needs a researcher account.");
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return jsonError(400, z.prettifyError(parsed.error));
  if (!req.body) return jsonError(400, "The request has no file in its body.");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-upload-"));
  // A fixed name on disk: the client's (`..`, `.`) was a directory and the upload a 500. The import
  // reads the client's name only to tell CSV from JSON and to record it.
  const file = path.join(dir, "upload");
  await pipeline(Readable.fromWeb(req.body as import("node:stream/web").ReadableStream), fs.createWriteStream(file));
  const encoder = new TextEncoder();
  const stream = new ReadableStream({
    async start(controller) {
      const send = (event: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
      try {
        const report = await importFile(getServerDb(), file, {
          projectName: parsed.data.project,
          format: parsed.data.format,
          skipInvalid: parsed.data.skipInvalid === "1",
          fileName: parsed.data.fileName,
          userId: user.id,
          onProgress: (p) => send({ type: "progress", ...p, totalBytes: fs.statSync(file).size }),
        });
        send({ type: "report", ...report });
      } catch (error) {
        console.error("import failed", error);
        send({ type: "error", message: `The import failed and nothing was written: ${databaseFault(error)?.message ?? (error as Error).message}` });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        controller.close();
      }
    },
  });
  return new Response(stream, { headers: { "Content-Type": "application/x-ndjson", "Cache-Control": "no-store" } });
});
