// Issue 13, load: import and export throughput (rows/s) and peak memory, on generated TRL pairs
// at 100,000 and 1,000,000 rows (BENCH_PAIRS overrides the larger count) and on the real
// HH-RLHF file. Each import and export runs in a process of its own (data-child.ts), so its peak
// resident memory is its own, and the two sizes show whether memory stays flat in the row count.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

type Row = Record<string, string | number>;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const EXPORT_TARGET = 100_000;
/** "Flat" allows the larger run this much more peak memory than the run a tenth its size. */
const FLAT_TOLERANCE = 1.25;

interface Measured {
  rows: number;
  seconds: number;
  peakMiB: number;
}

async function child(args: string[]): Promise<Measured> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", path.join(HERE, "data-child.ts"), ...args], {
    cwd: path.join(HERE, ".."),
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Measured;
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

async function importThenExport(dir: string, file: string, format: "auto" | "trl"): Promise<{ imported: Measured; exported: Measured }> {
  const db = path.join(dir, `${path.basename(file)}.db`);
  const imported = await child(["import", file, db, format]);
  const exported = await child(["export", db, "trl", path.join(dir, "export.jsonl")]);
  for (const f of [db, `${db}-wal`, `${db}-shm`, path.join(dir, "export.jsonl")]) fs.rmSync(f, { force: true });
  return { imported, exported };
}

const rate = (m: Measured) => Math.round(m.rows / m.seconds);
const load1 = () => os.loadavg()[0]!.toFixed(2);

function rowsOf(label: string, r: { imported: Measured; exported: Measured }, note: string, flat?: { import: boolean; export: boolean }): Row[] {
  const flatTarget = (ok: boolean | undefined) => (ok === undefined ? { target: "", met: "" } : { target: `≤ ${FLAT_TOLERANCE}× the 10× smaller run`, met: ok ? "yes" : "NO" });
  return [
    { bench: "load", model: `import ${label}`, metric: "rows/s", value: rate(r.imported), target: "", met: "", note },
    { bench: "load", model: `import ${label}`, metric: "peak RSS MiB", value: r.imported.peakMiB, ...flatTarget(flat?.import), note },
    { bench: "load", model: `export trl ${label}`, metric: "rows/s", value: rate(r.exported), target: `≥ ${EXPORT_TARGET.toLocaleString("en")}`, met: rate(r.exported) >= EXPORT_TARGET ? "yes" : "NO", note },
    { bench: "load", model: `export trl ${label}`, metric: "peak RSS MiB", value: r.exported.peakMiB, ...flatTarget(flat?.export), note },
  ];
}

export async function run(): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflab-bench-data-"));
  const large = Number(process.env.BENCH_PAIRS ?? 1_000_000);
  const small = Math.round(large / 10);
  const rows: Row[] = [];
  try {
    const hh = await importThenExport(dir, path.resolve(HERE, "../data/hh-rlhf/harmless-base-test.part1.jsonl.gz"), "auto");
    rows.push(...rowsOf(`hh-rlhf (real, ${hh.imported.rows.toLocaleString("en")} rows)`, hh, `load ${load1()}`));
    const sizes: Record<number, { imported: Measured; exported: Measured }> = {};
    for (const n of [small, large]) {
      const file = path.join(dir, `pairs-${n}.jsonl`);
      generatePairs(file, n);
      sizes[n] = await importThenExport(dir, file, "trl");
      fs.rmSync(file);
      const note = `generated TRL pairs; load ${load1()}`;
      const flat = n === large ? { import: sizes[large]!.imported.peakMiB <= FLAT_TOLERANCE * sizes[small]!.imported.peakMiB, export: sizes[large]!.exported.peakMiB <= FLAT_TOLERANCE * sizes[small]!.exported.peakMiB } : undefined;
      rows.push(...rowsOf(`${n.toLocaleString("en")} pairs`, sizes[n]!, note, flat));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
