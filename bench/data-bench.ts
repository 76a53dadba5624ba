// Import and export throughput (rows/s) and peak memory, on the real HH-RLHF file and on a
// generated file of 1,000,000 TRL pairs (BENCH_PAIRS overrides the count).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDb } from "../db/testing";
import { exportToFile } from "../server/services/export/write-export";
import { importFile } from "../server/services/import/run-import";
import { findProjectByName } from "../server/services/projects";

type Row = Record<string, string | number>;
const cores = os.availableParallelism();

/** Runs `fn`, sampling resident memory every 50 ms; returns seconds and the peak RSS in MiB. */
async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; peakMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const start = performance.now();
  const result = await fn();
  const seconds = (performance.now() - start) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { result, seconds, peakMiB: Math.round(peak / 2 ** 20) };
}

function generatePairs(file: string, n: number): void {
  const fd = fs.openSync(file, "w");
  const words = ["good", "bad", "film", "plot", "acting", "music", "slow", "sharp", "warm", "dull", "funny", "long"];
  let chunk = "";
  for (let i = 0; i < n; i++) {
    const w = (k: number) => words[(i * 7 + k * 13) % words.length];
    chunk += `${JSON.stringify({ prompt: `Review ${i}: what about the ${w(1)}?`, chosen: `The ${w(2)} was ${w(3)} and ${w(4)} (${i}).`, rejected: `It was ${w(5)}, ${w(6)} (${i}).` })}\n`;
    if (chunk.length > 1 << 20) fs.writeSync(fd, chunk), (chunk = "");
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
}

async function benchFile(label: string, file: string, format: "auto" | "trl"): Promise<Row[]> {
  const { db, dir } = createTestDb();
  const imported = await measure(() => importFile(db, file, { projectName: "bench", format }));
  if (!imported.result.ok) throw new Error(`import failed: ${JSON.stringify(imported.result.problems.slice(0, 3))}`);
  const rows = imported.result.imported;
  const projectId = findProjectByName(db, "bench")!.id;
  const out = path.join(dir, "export.jsonl");
  const exported = await measure(() => exportToFile(db, "trl", { projectId }, out));
  const mb = (fs.statSync(file).size / 2 ** 20).toFixed(1);
  fs.rmSync(dir, { recursive: true, force: true });
  const note = `${rows.toLocaleString("en")} rows, ${mb} MiB file`;
  return [
    { bench: "data", model: label, metric: "import rows/s", value: Math.round(rows / imported.seconds), note, cores },
    { bench: "data", model: label, metric: "import peak RSS MiB", value: imported.peakMiB, note, cores },
    { bench: "data", model: label, metric: "export trl rows/s", value: Math.round(exported.result / exported.seconds), note, cores },
    { bench: "data", model: label, metric: "export peak RSS MiB", value: exported.peakMiB, note, cores },
  ];
}

export async function run(): Promise<Row[]> {
  const rows = await benchFile("hh-rlhf (real)", path.resolve("data/hh-rlhf/harmless-base-test.part1.jsonl.gz"), "auto");
  const n = Number(process.env.BENCH_PAIRS ?? 1_000_000);
  const generated = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflab-bench-")), "pairs.jsonl");
  generatePairs(generated, n);
  rows.push(...(await benchFile(`generated ${n.toLocaleString("en")} pairs`, generated, "trl")));
  fs.rmSync(path.dirname(generated), { recursive: true, force: true });
  return rows;
}
