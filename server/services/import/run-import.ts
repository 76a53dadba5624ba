import path from "node:path";
import type { Db } from "../../../db/client";
import type { ImportFormat } from "../../../db/enums";
import { imports } from "../../../db/schema";
import { withWriteConnection } from "../../../db/write-connection";
import { ensureProject } from "../projects";
import { DuplicateIndex } from "./duplicate-index";
import { readRecords } from "./read-records";
import { detectFormat, normalizeRow, recordKey, RowError, type ImportRecord } from "./records";
import { createRecordWriter } from "./write-records";

export interface ImportOptions {
  projectName: string;
  format: ImportFormat | "auto";
  /** Import the valid rows and count the rest, instead of refusing the whole file. */
  skipInvalid?: boolean;
  /** Name shown in provenance; defaults to the file's base name. */
  fileName?: string;
  userId?: number | null;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  phase: "validating" | "writing";
  rows: number;
  bytesRead: number;
}

export interface ImportProblem {
  /** The line the bad record starts on (0: the file as a whole). */
  line: number;
  /** Its position in a JSON array of records, from 1; absent for JSON Lines and CSV. */
  record?: number;
  reason: string;
}

export interface ImportReport {
  ok: boolean;
  format: ImportFormat | null;
  imported: number;
  skipped: number;
  /** The first MAX_LISTED_PROBLEMS problems; `problemCount` has them all. */
  problems: ImportProblem[];
  problemCount: number;
  projectId: number | null;
  importId: number | null;
}

const MAX_LISTED_PROBLEMS = 1000;
const PROGRESS_EVERY_ROWS = 2000;

interface Validated {
  format: ImportFormat | null;
  valid: number;
  /** Bad records by their position in the file's record stream (the same in both passes). */
  badPositions: Set<number>;
  problems: ImportProblem[];
}

/** Pass 1: every line checked, nothing written; duplicates found in a compact digest index. */
async function validateFile(file: string, opts: ImportOptions): Promise<Validated> {
  const out: Validated = { format: opts.format === "auto" ? null : opts.format, valid: 0, badPositions: new Set(), problems: [] };
  const seen = new DuplicateIndex();
  let rows = 0;
  for await (const raw of readRecords(file, opts.fileName)) {
    const position = ++rows;
    if (rows % PROGRESS_EVERY_ROWS === 0) opts.onProgress?.({ phase: "validating", rows, bytesRead: raw.bytesRead });
    const problem = (reason: string) => {
      out.badPositions.add(position);
      out.problems.push({ line: raw.lineNumber, ...(raw.record ? { record: raw.record } : {}), reason });
    };
    if (raw.error) {
      problem(raw.error);
      continue;
    }
    out.format ??= detectFormat(raw.value);
    if (!out.format) {
      problem("cannot tell the format from this row's fields; pass --format");
      continue;
    }
    try {
      const record = checkRecord(normalizeRow(out.format, raw.value));
      const first = seen.add(recordKey(record), raw.record ?? raw.lineNumber);
      if (first !== null) throw new RowError(`duplicate of ${raw.record ? "record" : "line"} ${first}`);
      out.valid++;
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      problem(e.message);
    }
  }
  return out;
}

function checkRecord(record: ImportRecord): ImportRecord {
  if (record.kind === "preference" && record.chosen.text === record.rejected.text)
    throw new RowError("chosen and rejected are identical");
  return record;
}

/**
 * Imports a file all-or-nothing: the whole file is validated first, and rows are written in one
 * transaction only when every row is valid (or, with `skipInvalid`, exactly the valid rows).
 */
export async function importFile(db: Db, file: string, opts: ImportOptions): Promise<ImportReport> {
  const fileName = opts.fileName ?? path.basename(file);
  const checked = await validateFile(file, { ...opts, fileName });
  const report: ImportReport = {
    ok: false,
    format: checked.format,
    imported: 0,
    skipped: checked.badPositions.size,
    problems: checked.problems.slice(0, MAX_LISTED_PROBLEMS).sort((a, b) => a.line - b.line || (a.record ?? 0) - (b.record ?? 0)),
    problemCount: checked.problems.length,
    projectId: null,
    importId: null,
  };
  if (!checked.format || checked.valid === 0 || (checked.problems.length > 0 && !opts.skipInvalid)) {
    if (checked.valid === 0 && checked.problems.length === 0) report.problems = [{ line: 0, reason: "the file has no rows" }];
    if (report.problemCount === 0) report.problemCount = report.problems.length;
    return { ...report, skipped: 0 };
  }
  const format = checked.format;
  await withWriteConnection(db, async (tx) => {
    const project = ensureProject(tx, opts.projectName, opts.userId ?? null);
    const [imp] = tx
      .insert(imports)
      .values({ projectId: project.id, fileName, format, rowsImported: checked.valid, rowsSkipped: checked.badPositions.size, createdBy: opts.userId ?? null })
      .returning()
      .all();
    const write = createRecordWriter(tx, { projectId: project.id, importId: imp!.id, judgementsPerTask: project.settings.judgementsPerTask });
    let rows = 0;
    let position = 0;
    for await (const raw of readRecords(file, fileName)) {
      position++;
      if (raw.error || checked.badPositions.has(position)) continue;
      write(normalizeRow(format, raw.value));
      if (++rows % PROGRESS_EVERY_ROWS === 0) opts.onProgress?.({ phase: "writing", rows, bytesRead: raw.bytesRead });
    }
    report.projectId = project.id;
    report.importId = imp!.id;
    report.imported = rows;
  });
  return { ...report, ok: true };
}
