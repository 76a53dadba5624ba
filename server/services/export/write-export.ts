import fs from "node:fs";
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { Db } from "../../../db/client";
import type { ExportFormat } from "../../../db/enums";
import type { PreferenceFilters } from "../../../db/preference-rows";
import { exporters } from "./formats";

/** Lines are handed to the stream ~64 KiB at a time: one write per line cost more than making the line. */
const CHUNK_CHARS = 65_536;

/** Streams an export into a writable (a file or stdout), honouring backpressure. */
export async function writeExport(
  db: Db,
  format: ExportFormat,
  filters: PreferenceFilters,
  out: Writable,
  onRow?: (rows: number) => void,
): Promise<number> {
  let rows = 0;
  let chunk = "";
  for (const line of exporters[format].lines(db, filters)) {
    chunk += line;
    if (chunk.length >= CHUNK_CHARS) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
    if (++rows % 1000 === 0) onRow?.(rows);
  }
  if (chunk && !out.write(chunk)) await once(out, "drain");
  onRow?.(rows);
  return rows;
}

export async function exportToFile(db: Db, format: ExportFormat, filters: PreferenceFilters, file: string): Promise<number> {
  const out = fs.createWriteStream(file);
  const rows = await writeExport(db, format, filters, out);
  out.end();
  await once(out, "finish");
  return rows;
}

/** A web ReadableStream of the export, for the download route. */
export function exportStream(db: Db, format: ExportFormat, filters: PreferenceFilters): ReadableStream<Uint8Array> {
  const lines = exporters[format].lines(db, filters);
  const encoder = new TextEncoder();
  return new ReadableStream({
    pull(controller) {
      // Hand over ~64 KiB at a time: small enough to stream, large enough to be cheap.
      let chunk = "";
      for (let next = lines.next(); ; next = lines.next()) {
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += next.value;
        if (chunk.length > CHUNK_CHARS) break;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    cancel() {
      lines.return(undefined);
    },
  });
}
