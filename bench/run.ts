// `npm run bench`: runs every bench/*-bench.ts file's `run()` in turn and prints one table.
// Benchmarks are never tests: their numbers depend on the machine and on what else runs on it.
import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

type Row = Record<string, string | number>;

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  const only = process.argv.slice(2);
  const files = readdirSync(here).filter((f) => f.endsWith("-bench.ts") && (only.length === 0 || only.some((o) => f.includes(o)))).sort();
  const rows: Row[] = [];
  for (const file of files) {
    const started = performance.now();
    try {
      const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<Row[]> };
      rows.push(...(await mod.run()));
    } catch (error) {
      rows.push({ bench: file, metric: "error", value: String((error as Error).message ?? error) });
    }
    console.error(`${file}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(`machine: ${availableParallelism()} cores, node ${process.version}`);
  console.table(rows);
}

await main();
