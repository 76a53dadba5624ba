import fs from "node:fs";
import zlib from "node:zlib";

/** One line of an import file, decoded, with where it came from. */
export interface SourceLine {
  lineNumber: number;
  /** Null when the bytes were not valid UTF-8: the caller reports the line instead of guessing. */
  text: string | null;
  /** Bytes of the (possibly compressed) file consumed so far, for progress bars. */
  bytesRead: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

function isGzip(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    fs.closeSync(fd);
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Strict UTF-8: null for bytes that are not valid UTF-8, so the caller reports instead of guessing. */
export function decodeUtf8(bytes: Buffer): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** The bytes of a file, gunzipped when it is gzip (told by its first bytes), and a running count
 *  of the file's own (possibly compressed) bytes consumed so far, for progress bars. */
export function openBytes(file: string): { chunks: AsyncIterable<Buffer>; bytesRead: () => number } {
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  let bytesRead = 0;
  raw.on("data", (chunk) => (bytesRead += chunk.length));
  const stream = isGzip(file) ? raw.pipe(zlib.createGunzip()) : raw;
  return { chunks: stream as AsyncIterable<Buffer>, bytesRead: () => bytesRead };
}

/**
 * Splits a byte stream into lines in bounded memory. Splitting happens on raw bytes, so one bad
 * byte sequence spoils only its own line.
 */
export async function* splitLines(chunks: AsyncIterable<Buffer>, bytesRead: () => number): AsyncGenerator<SourceLine> {
  let pending: Buffer[] = [];
  let lineNumber = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      pending.push(chunk.subarray(start, nl));
      const line = Buffer.concat(pending);
      pending = [];
      start = nl + 1;
      lineNumber++;
      yield { lineNumber, text: decodeUtf8(stripCarriageReturn(line)), bytesRead: bytesRead() };
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  const rest = Buffer.concat(pending);
  if (rest.length > 0) yield { lineNumber: lineNumber + 1, text: decodeUtf8(stripCarriageReturn(rest)), bytesRead: bytesRead() };
}

/** Streams a text file (plain or gzip) line by line in bounded memory. */
export function readLines(file: string): AsyncGenerator<SourceLine> {
  const { chunks, bytesRead } = openBytes(file);
  return splitLines(chunks, bytesRead);
}

function stripCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, -1) : line;
}
