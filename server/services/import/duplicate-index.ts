import crypto from "node:crypto";

/**
 * Remembers which rows a file has had, in 12 bytes a row: a 64-bit digest and the first line
 * number, in an open-addressing hash table of typed arrays. A Map of digest strings costs ~10×
 * that, which is what decides whether a many-million-row import fits in memory. Two different
 * rows share a 64-bit digest with probability ~n²/2^65 (3·10⁻⁶ at ten million rows).
 */
export class DuplicateIndex {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** First line number of each slot's row; 0 marks an empty slot (lines start at 1). */
  private lines: Uint32Array;
  private size = 0;

  constructor(initialCapacity = 1 << 16) {
    this.hi = new Uint32Array(initialCapacity);
    this.lo = new Uint32Array(initialCapacity);
    this.lines = new Uint32Array(initialCapacity);
  }

  /** Records `key` as seen on `line`; returns the earlier line if it was seen before. */
  add(key: string, line: number): number | null {
    const digest = crypto.createHash("sha256").update(key).digest();
    const hi = digest.readUInt32LE(0);
    const lo = digest.readUInt32LE(4);
    const found = this.find(hi, lo);
    if (this.lines[found] !== 0) return this.lines[found]!;
    this.hi[found] = hi;
    this.lo[found] = lo;
    this.lines[found] = line;
    if (++this.size * 2 > this.lines.length) this.grow();
    return null;
  }

  /** The slot holding (hi, lo), or the empty slot where it belongs (linear probing). */
  private find(hi: number, lo: number): number {
    const mask = this.lines.length - 1;
    for (let slot = lo & mask; ; slot = (slot + 1) & mask) {
      if (this.lines[slot] === 0 || (this.hi[slot] === hi && this.lo[slot] === lo)) return slot;
    }
  }

  private grow(): void {
    const { hi, lo, lines } = this;
    this.hi = new Uint32Array(lines.length * 2);
    this.lo = new Uint32Array(lines.length * 2);
    this.lines = new Uint32Array(lines.length * 2);
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === 0) continue;
      const slot = this.find(hi[i]!, lo[i]!);
      this.hi[slot] = hi[i]!;
      this.lo[slot] = lo[i]!;
      this.lines[slot] = lines[i]!;
    }
  }
}
