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

function decode(bytes: Buffer): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Streams a text file (plain or gzip, detected from its first bytes) line by line in bounded
 * memory. Splitting happens on raw bytes, so one bad byte sequence spoils only its own line.
 */
export async function* readLines(file: string): AsyncGenerator<SourceLine> {
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  let bytesRead = 0;
  raw.on("data", (chunk) => (bytesRead += chunk.length));
  const stream = isGzip(file) ? raw.pipe(zlib.createGunzip()) : raw;
  let pending: Buffer[] = [];
  let lineNumber = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      pending.push(chunk.subarray(start, nl));
      const line = Buffer.concat(pending);
      pending = [];
      start = nl + 1;
      lineNumber++;
      yield { lineNumber, text: decode(stripCarriageReturn(line)), bytesRead };
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  const rest = Buffer.concat(pending);
  if (rest.length > 0) yield { lineNumber: lineNumber + 1, text: decode(stripCarriageReturn(rest)), bytesRead };
}

function stripCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, -1) : line;
}
