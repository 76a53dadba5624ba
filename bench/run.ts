// `npm run bench [-- SECTION...]`: runs every bench/*-bench.ts file's `run()` in turn (or those
// whose name contains one of the SECTIONs: `npm run bench -- load` runs load-*-bench.ts) and
// prints one markdown table, headed by the machine (cores, memory, load average), and writes the
// same as JSON to bench/results/<sections or "all">.json.
// Benchmarks are never tests: their numbers depend on the machine and on what else runs on it.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

type Row = Record<string, string | number>;

const loadAverage = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");

function machine() {
  return {
    cores: os.availableParallelism(),
    totalMemoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    cpu: os.cpus()[0]?.model ?? "?",
    node: process.version,
    loadAverageAtStart: loadAverage(),
  };
}

const cell = (value: string | number | undefined) => (value === undefined ? "" : String(value).replaceAll("|", "\\|"));

/** One GitHub-flavoured markdown table; columns are every key, in the order rows first use them. */
function markdownTable(rows: Row[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const numeric = columns.map((c) => rows.every((r) => r[c] === undefined || typeof r[c] === "number"));
  const lines = [`| ${columns.join(" | ")} |`, `| ${numeric.map((n) => (n ? "---:" : "---")).join(" | ")} |`];
  for (const row of rows) lines.push(`| ${columns.map((c) => cell(row[c])).join(" | ")} |`);
  return lines.join("\n");
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const only = process.argv.slice(2);
  const files = readdirSync(here).filter((f) => f.endsWith("-bench.ts") && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
  const header = machine();
  const rows: Row[] = [];
  for (const file of files) {
    const started = performance.now();
    try {
      const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<Row[]> };
      rows.push(...(await mod.run()));
    } catch (error) {
      rows.push({ bench: file, metric: "error", value: String((error as Error).message ?? error) });
    }
    console.error(`${file}: ${((performance.now() - started) / 1000).toFixed(1)} s (load average ${loadAverage()})`);
  }
  const result = { machine: { ...header, loadAverageAtEnd: loadAverage() }, sections: only, rows };
  const m = result.machine;
  console.log(`machine: ${m.cores} cores (${m.cpu}), ${m.totalMemoryGiB} GiB memory, node ${m.node}; load average (1, 5, 15 min) ${m.loadAverageAtStart} at start, ${m.loadAverageAtEnd} at end\n`);
  console.log(markdownTable(rows));
  const out = join(here, "results", `${only.length ? only.join("-").replace(/[^\w.-]/g, "_") : "all"}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.error(`written to ${out}`);
}

await main();
