import path from "node:path";
import { parse } from "csv-parse";
import { isArrayStart, peekFirstByte, splitJsonArray } from "./read-json-array";
import { openBytes, splitLines } from "./read-lines";

/** One raw record of an import file (a parsed JSON line, array element or CSV row) or the reason it has none. */
export interface RawRecord {
  /** The line the record starts on. */
  lineNumber: number;
  /** Position in a JSON array, from 1 (several records may share a line there); absent elsewhere. */
  record?: number;
  value?: unknown;
  error?: string;
  bytesRead: number;
}

export function isCsvFile(fileName: string): boolean {
  return /\.csv(\.gz)?$/i.test(fileName);
}

/** JSON Lines: one object a line; blank lines are allowed and ignored. */
async function* readJsonl(chunks: AsyncIterable<Buffer>, bytesReadSoFar: () => number): AsyncGenerator<RawRecord> {
  for await (const { lineNumber, text, bytesRead } of splitLines(chunks, bytesReadSoFar)) {
    if (text === null) {
      yield { lineNumber, error: "invalid UTF-8", bytesRead };
      continue;
    }
    if (text.trim() === "") continue;
    try {
      yield { lineNumber, value: JSON.parse(text), bytesRead };
    } catch (e) {
      yield { lineNumber, error: `invalid JSON (${(e as Error).message})`, bytesRead };
    }
  }
}

/**
 * CSV with a header row. Columns named completion, completion_1, completion_2, ... are gathered
 * into `completions`, so one CSV shape serves prompts, prompt+completions and TRL pairs.
 */
async function* readCsv(file: string): AsyncGenerator<RawRecord> {
  // Gunzipped like JSON files: a .csv.gz was read as raw gzip bytes (found by server/security's fuzzing).
  const { chunks, bytesRead: bytesReadSoFar } = openBytes(file);
  const text = { decodeError: null as string | null, bytesRead: 0 };
  const parser = parse({ columns: true, bom: true, info: true, skip_empty_lines: true });
  // A parser that failed on a row is destroyed and never drains: stop feeding it then, or the
  // import waits forever (a hang server/security's fuzzing found on a too-long CSV row).
  const feed = (async () => {
    for await (const piece of csvText(chunks, bytesReadSoFar, text)) {
      if (parser.destroyed) break;
      if (!parser.write(piece)) await new Promise((resume) => (parser.once("drain", resume), parser.once("close", resume)));
    }
    parser.end();
  })().catch((e: Error) => parser.destroy(e));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>)
      yield { lineNumber: info.lines, value: gatherCompletions(record), bytesRead: text.bytesRead };
  } catch (e) {
    if (isCompressionError(e)) throw e; // endAtDamage reports it
    // csv-parse's errors carry the line they stopped on.
    const line = (e as { lines?: unknown }).lines;
    yield { lineNumber: typeof line === "number" ? line : 0, error: `invalid CSV (${(e as Error).message})`, bytesRead: text.bytesRead };
  }
  await feed;
  if (text.decodeError) yield { lineNumber: 0, error: text.decodeError, bytesRead: text.bytesRead };
}

/**
 * The CSV's text for csv-parse: strict UTF-8 (stopping at the first bad sequence, which it notes in
 * `state`), with CRLF as LF: csv-parse counts a CRLF inside a quoted field as two lines, which put
 * problems on lines past the end of the file (found by server/security's fuzzing).
 */
async function* csvText(chunks: AsyncIterable<Buffer>, bytesRead: () => number, state: { decodeError: string | null; bytesRead: number }): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let carry = ""; // a CR at a chunk's end may be half of a CRLF
  try {
    for await (const chunk of chunks) {
      state.bytesRead = bytesRead();
      const text = carry + decoder.decode(chunk, { stream: true });
      carry = text.endsWith("\r") ? "\r" : "";
      yield text.slice(0, text.length - carry.length).replaceAll("\r\n", "\n");
    }
    yield carry + decoder.decode(); // throws on a sequence cut off by the end of the file
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    state.decodeError = `invalid UTF-8 near byte ${state.bytesRead.toLocaleString("en")}`;
  }
}

function gatherCompletions(row: Record<string, string>): Record<string, unknown> {
  const completionKeys = Object.keys(row).filter((k) => /^completion(_\d+)?$/.test(k));
  if (completionKeys.length === 0) return row;
  const rest = Object.fromEntries(Object.entries(row).filter(([k]) => !completionKeys.includes(k)));
  return { ...rest, completions: completionKeys.map((k) => row[k]).filter((v) => v !== "") };
}

/** JSON Lines, or one JSON array of records when the file's first meaningful byte is "[". */
async function* readJson(file: string): AsyncGenerator<RawRecord> {
  const { chunks, bytesRead } = openBytes(file);
  const peeked = await peekFirstByte(chunks);
  yield* isArrayStart(peeked.first) ? splitJsonArray(peeked.chunks, bytesRead) : readJsonl(peeked.chunks, bytesRead);
}

/** zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR, ...): the gzip stream is damaged or cut short. */
const isCompressionError = (e: unknown) => typeof (e as { code?: unknown })?.code === "string" && (e as { code: string }).code.startsWith("Z_");

/**
 * A damaged or truncated gzip file ends its records with one problem on the line after the last
 * one read, instead of throwing out of the import (found by server/security's fuzzing).
 */
async function* endAtDamage(records: AsyncGenerator<RawRecord>): AsyncGenerator<RawRecord> {
  let last = { lineNumber: 0, bytesRead: 0 };
  try {
    for await (const record of records) yield (last = record);
  } catch (e) {
    if (!isCompressionError(e)) throw e;
    const after = last.lineNumber ? `after line ${last.lineNumber}` : "at its start";
    yield { lineNumber: last.lineNumber + 1, error: `the compressed file is damaged ${after} (${(e as Error).message}): nothing past it can be read`, bytesRead: last.bytesRead };
  }
}

export function readRecords(file: string, fileName = path.basename(file)): AsyncGenerator<RawRecord> {
  return endAtDamage(isCsvFile(fileName) ? readCsv(file) : readJson(file));
}
