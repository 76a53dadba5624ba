import fs from "node:fs";
import type { Command } from "commander";
import { openDatabase } from "../../db/client";
import { EXPORT_FORMATS, IMPORT_FORMATS, type ExportFormat, type ImportFormat } from "../../db/enums";
import { exportToFile, writeExport } from "../../server/services/export/write-export";
import { importFile } from "../../server/services/import/run-import";
import { findProjectByName } from "../../server/services/projects";
import { terminalProgress } from "../progress";

function oneOf<T extends string>(allowed: readonly T[], name: string) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new Error(`--${name} must be one of ${allowed.join(", ")} (got "${value}")`);
    return value as T;
  };
}

function parseDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`not a date: "${value}" (use YYYY-MM-DD or an ISO timestamp)`);
  return date;
}

async function runImport(file: string, opts: { project: string; format: ImportFormat | "auto"; skipInvalid?: boolean }) {
  if (!fs.existsSync(file)) throw new Error(`no such file: ${file}`);
  const db = openDatabase();
  const bar = terminalProgress("import", fs.statSync(file).size, "bytes");
  const report = await importFile(db, file, {
    projectName: opts.project,
    format: opts.format,
    skipInvalid: opts.skipInvalid,
    onProgress: (p) => bar.update(p.bytesRead, `${p.phase} ${p.rows} rows`),
  });
  bar.stop();
  for (const p of report.problems) process.stderr.write(`${p.record ? `record ${p.record} (line ${p.line})` : `line ${p.line}`}: ${p.reason}\n`);
  if (report.problemCount > report.problems.length)
    process.stderr.write(`... and ${report.problemCount - report.problems.length} more problems\n`);
  if (!report.ok) throw new Error(`nothing imported: ${report.problemCount} problem(s) in ${file}${opts.skipInvalid ? "" : " (use --skip-invalid to import only the valid rows)"}`);
  process.stdout.write(`imported ${report.imported} ${report.format} rows into project "${opts.project}"${report.skipped ? `, skipped ${report.skipped} invalid` : ""}\n`);
}

async function runExport(opts: { project: string; format: ExportFormat; out?: string; since?: Date; until?: Date; policy?: string; minAgreement?: string; includeGold?: boolean; includeSynthetic?: boolean }) {
  const db = openDatabase();
  const project = findProjectByName(db, opts.project);
  if (!project) throw new Error(`no project named "${opts.project}"`);
  const filters = {
    projectId: project.id,
    since: opts.since,
    until: opts.until,
    policyId: opts.policy === undefined ? undefined : Number(opts.policy),
    minAgreement: opts.minAgreement === undefined ? undefined : Number(opts.minAgreement),
    includeGold: opts.includeGold === true,
    includeSynthetic: opts.includeSynthetic === true,
  };
  if (filters.minAgreement !== undefined && !(filters.minAgreement >= 0 && filters.minAgreement <= 1))
    throw new Error("--min-agreement must be a number between 0 and 1");
  if (!opts.out) {
    await writeExport(db, opts.format, filters, process.stdout);
    return;
  }
  const rows = await exportToFile(db, opts.format, filters, opts.out);
  process.stderr.write(`wrote ${rows} ${opts.format} rows to ${opts.out}\n`);
}

/** `preflab import` and `preflab export`; the database comes from PREFLAB_DB. */
export function register(program: Command): void {
  program
    .command("import")
    .description("import prompts, completions, a preference dataset or Chatbot Arena battles (JSON Lines, a JSON array, CSV, .gz) into a project")
    .argument("<file>", "the file to import")
    .requiredOption("--project <name>", "project to import into (created if needed)")
    .option("--format <format>", `auto | ${IMPORT_FORMATS.join(" | ")}`, oneOf(["auto", ...IMPORT_FORMATS], "format"), "auto")
    .option("--skip-invalid", "import the valid rows and skip (and count) the invalid ones")
    .action(runImport);
  program
    .command("export")
    .description("export a project's judgements as a training-ready dataset")
    .requiredOption("--project <name>", "project to export")
    .requiredOption("--format <format>", EXPORT_FORMATS.join(" | "), oneOf(EXPORT_FORMATS, "format"))
    .option("--out <file>", "write here instead of stdout")
    .option("--since <date>", "only judgements made at or after this date", parseDate)
    .option("--until <date>", "only judgements made at or before this date", parseDate)
    .option("--policy <id>", "only tasks showing a completion of this policy")
    .option("--min-agreement <x>", "only tasks whose annotators agree at least this much (0..1)")
    .option("--include-gold", "also export judgements of gold tasks (left out by default)")
    .option("--include-synthetic", "also export synthetic judgements of drex/trex runs (left out by default; rows say source synthetic and their generating_run)")
    .action(runExport);
}
