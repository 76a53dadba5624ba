// Positional reads and writes of whole byte ranges, for files too large for one Buffer (weights
// past 2 GiB): Node moves at most ~2 GiB per readSync/writeSync call and may move fewer bytes
// than asked, so both loop until the range is done.
import { readSync, writeSync } from "node:fs";

const MAX_BYTES_PER_CALL = 1 << 30;

/** Fills `into` with the file's bytes from `position`; throws when the file ends first. */
export function readFully(fd: number, into: Uint8Array, position: number): void {
  for (let done = 0; done < into.byteLength;) {
    const n = readSync(fd, into, done, Math.min(into.byteLength - done, MAX_BYTES_PER_CALL), position + done);
    if (n === 0) throw new RangeError(`file ended at byte ${position + done}, ${into.byteLength - done} bytes short`);
    done += n;
  }
}

/** Writes all of `bytes` at `position`. */
export function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.byteLength;) {
    done += writeSync(fd, bytes, done, Math.min(bytes.byteLength - done, MAX_BYTES_PER_CALL), position + done);
  }
}
