/**
 * A JSON file holding one array of records (pandas' `to_json(orient="records")`, many labeling
 * tools' exports), streamed record by record in bounded memory: a byte scanner finds where each
 * top-level element ends (tracking strings, escapes and nesting; every structural character is
 * ASCII, so UTF-8 text never confuses it), and only that element's bytes are decoded and parsed.
 * Records are numbered from 1; each also carries the line it starts on, since pandas writes the
 * whole array on one line while pretty-printers give each record many.
 */
import { decodeUtf8 } from "./read-lines";
import type { RawRecord } from "./read-records";

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const BOM = [0xef, 0xbb, 0xbf];
const [QUOTE, BACKSLASH, COMMA, NEWLINE] = [0x22, 0x5c, 0x2c, 0x0a];
const [OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = [0x7b, 0x7d, 0x5b, 0x5d];

/**
 * Reads ahead to the file's first meaningful byte (past whitespace and a UTF-8 byte-order mark)
 * and hands back the stream unchanged, read-ahead included.
 */
export async function peekFirstByte(chunks: AsyncIterable<Buffer>): Promise<{ first: number | null; chunks: AsyncIterable<Buffer> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let offset = 0;
  let first: number | null = null;
  while (first === null) {
    const next = await iterator.next();
    if (next.done) break;
    seen.push(next.value);
    for (const byte of next.value) {
      const inBom = offset < BOM.length && byte === BOM[offset];
      offset++;
      if (!inBom && !WHITESPACE.has(byte)) {
        first = byte;
        break;
      }
    }
  }
  async function* replay() {
    yield* seen;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { first, chunks: replay() };
}

export const isArrayStart = (byte: number | null) => byte === OPEN_BRACKET;

function parseElement(bytes: Buffer, record: number, lineNumber: number, bytesRead: number): RawRecord {
  const at = { lineNumber, record, bytesRead };
  const text = decodeUtf8(bytes);
  if (text === null) return { ...at, error: "invalid UTF-8" };
  if (text.trim() === "") return { ...at, error: "invalid JSON (an empty record between commas)" };
  try {
    return { ...at, value: JSON.parse(text) };
  } catch (e) {
    return { ...at, error: `invalid JSON (${(e as Error).message})` };
  }
}

type Phase = "start" | "between" | "element" | "after";

/** Yields each element of the file's top-level array; the stream must start with "[" (peekFirstByte). */
export async function* splitJsonArray(chunks: AsyncIterable<Buffer>, bytesRead: () => number): AsyncGenerator<RawRecord> {
  let phase = "start" as Phase; // widened: the loop below moves it through every phase
  let line = 1;
  let record = 0;
  let startLine = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let afterComma = false;
  let pending: Buffer[] = [];
  for await (const chunk of chunks) {
    let elementStart: number = phase === "element" ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (phase === "element") {
        if (byte === NEWLINE) line++;
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) inString = false;
          continue;
        }
        if (byte === QUOTE) inString = true;
        else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
        else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && depth > 0) depth--;
        else if (depth === 0 && (byte === COMMA || byte === CLOSE_BRACKET)) {
          pending.push(chunk.subarray(elementStart, i));
          yield parseElement(Buffer.concat(pending), record, startLine, bytesRead());
          pending = [];
          [phase, afterComma] = byte === COMMA ? ["between", true] : ["after", false];
        }
        continue;
      }
      if (byte === NEWLINE) line++;
      if (WHITESPACE.has(byte) || (phase === "start" && BOM.includes(byte))) continue;
      if (phase === "start") phase = "between"; // the "[" peekFirstByte found
      else if (phase === "after") {
        yield { lineNumber: line, error: "unexpected text after the array's closing ]", bytesRead: bytesRead() };
        return;
      } else if (byte === CLOSE_BRACKET) {
        if (afterComma) yield { lineNumber: line, error: "invalid JSON (a comma before the array's closing ])", bytesRead: bytesRead() };
        phase = "after";
      } else {
        [phase, record, startLine, depth, elementStart] = ["element", record + 1, line, 0, i];
        i--; // the element's first byte is read again in the element phase
      }
    }
    if (phase === "element") pending.push(chunk.subarray(elementStart));
  }
  if (phase === "element") yield { lineNumber: startLine, record, error: "the file ends inside this record (the array is never closed)", bytesRead: bytesRead() };
  else if (phase !== "after") yield { lineNumber: line, error: "the file ends before the array's closing ]", bytesRead: bytesRead() };
}
