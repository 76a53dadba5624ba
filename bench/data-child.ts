// One import or export of the data bench in a process of its own, so its peak resident memory
// (VmHWM) is that operation's alone. Prints one JSON line: {rows, seconds, peakMiB}.
//   data-child.ts import FILE DB FORMAT     into project "bench" of DB (created)
//   data-child.ts export DB FORMAT OUT      project "bench" of DB into OUT
import { openDatabase } from "../db/client";
import type { ExportFormat } from "../db/enums";
import { exportToFile } from "../server/services/export/write-export";
import { importFile } from "../server/services/import/run-import";
import { findProjectByName } from "../server/services/projects";
import { peakRssMiB } from "../trainer/peak-rss";

/** Times the operation alone (the database is opened and migrated before the clock starts). */
async function timed(rows: () => Promise<number>): Promise<{ rows: number; seconds: number }> {
  const started = performance.now();
  const n = await rows();
  return { rows: n, seconds: (performance.now() - started) / 1000 };
}

async function operation(args: string[]): Promise<{ rows: number; seconds: number }> {
  const [what, ...rest] = args;
  if (what === "import") {
    const [file, dbFile, format] = rest as [string, string, "auto" | "trl"];
    const db = openDatabase(dbFile);
    return timed(async () => {
      const report = await importFile(db, file, { projectName: "bench", format });
      if (!report.ok) throw new Error(`import failed: ${JSON.stringify(report.problems.slice(0, 3))}`);
      return report.imported;
    });
  }
  if (what === "export") {
    const [dbFile, format, out] = rest as [string, ExportFormat, string];
    const db = openDatabase(dbFile);
    const projectId = findProjectByName(db, "bench")!.id;
    return timed(() => exportToFile(db, format, { projectId }, out));
  }
  throw new Error("usage: data-child.ts import FILE DB FORMAT | export DB FORMAT OUT");
}

const result = await operation(process.argv.slice(2));
process.stdout.write(`${JSON.stringify({ ...result, peakMiB: Math.round(peakRssMiB()) })}\n`);
