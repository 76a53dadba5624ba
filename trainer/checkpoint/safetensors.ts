// A minimal safetensors reader/writer: 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}, then the raw
// little-endian tensor bytes. F32, F16 and BF16 are read (as float32: real Llama/Qwen checkpoints
// ship BF16); only F32 is written. Files are read tensor by tensor, straight into each tensor's
// own array: a whole checkpoint never sits in one Buffer (Node refuses files over 2 GiB, and a
// Llama-3.2-1B in BF16 is 2.47 GB).
import { closeSync, fstatSync, openSync } from "node:fs";
import { readFully, writeFully } from "./file-io";

/** A tensor as plain data: float32 values in row-major order. */
export interface RawTensor {
  shape: number[];
  data: Float32Array;
}

export class SafetensorsError extends Error {}

export interface SafetensorsContents {
  tensors: Record<string, RawTensor>;
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Where the bytes come from: a Buffer already in memory, or an open file read piece by piece. */
interface ByteSource {
  size: number;
  /** Fills `into` with the bytes at `position` (the caller checked they exist). */
  read(into: Uint8Array, position: number): void;
}

const ELEMENT_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };
// Half-precision tensors are decoded through a bounded scratch buffer, not a copy of the tensor.
const DECODE_CHUNK_BYTES = 1 << 24;
// The format's own cap (the reference implementation refuses larger headers).
const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** Decodes `bytes` (whole elements of `dtype`) into out[at...]. */
function decodeInto(dtype: string, bytes: Uint8Array, out: Float32Array, at: number): void {
  if (dtype === "BF16" && LITTLE_ENDIAN) {
    // The common case (Llama/Qwen checkpoints) through typed arrays: several times faster.
    const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
    const bits = new Uint32Array(out.buffer, out.byteOffset + at * 4, halves.length);
    for (let i = 0; i < halves.length; i++) bits[i] = halves[i] << 16;
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / ELEMENT_BYTES[dtype];
  // BF16 is the top half of a float32: widen through one shared word.
  const word = new Uint32Array(1);
  const asFloat = new Float32Array(word.buffer);
  for (let i = 0; i < n; i++) {
    if (dtype === "F32") out[at + i] = view.getFloat32(i * 4, true);
    else if (dtype === "F16") out[at + i] = halfToFloat(view.getUint16(i * 2, true));
    else { word[0] = view.getUint16(i * 2, true) << 16; out[at + i] = asFloat[0]; }
  }
}

function readTensor(source: ByteSource, dtype: string, count: number, position: number): Float32Array {
  const out = new Float32Array(count);
  if (dtype === "F32" && LITTLE_ENDIAN) {
    source.read(new Uint8Array(out.buffer), position); // the file's bytes are already the array
    return out;
  }
  const size = ELEMENT_BYTES[dtype];
  const scratch = new Uint8Array(Math.min(DECODE_CHUNK_BYTES, count * size));
  for (let done = 0; done < count;) {
    const n = Math.min(count - done, scratch.byteLength / size);
    const chunk = scratch.subarray(0, n * size);
    source.read(chunk, position + done * size);
    decodeInto(dtype, chunk, out, done);
    done += n;
  }
  return out;
}

function readHeader(source: ByteSource): { header: Record<string, HeaderEntry>; base: number } {
  if (source.size < 8) throw new SafetensorsError("file is shorter than the 8-byte header length");
  const lengthBytes = Buffer.alloc(8);
  source.read(lengthBytes, 0);
  const headerLen = Number(lengthBytes.readBigUInt64LE(0));
  if (8 + headerLen > source.size) throw new SafetensorsError(`header length ${headerLen} runs past the end of the file`);
  if (headerLen > MAX_HEADER_BYTES) throw new SafetensorsError(`header length ${headerLen} passes the format's limit of ${MAX_HEADER_BYTES} bytes`);
  const json = Buffer.alloc(headerLen);
  source.read(json, 8);
  try {
    return { header: JSON.parse(json.toString("utf8")), base: 8 + headerLen };
  } catch {
    throw new SafetensorsError("header is not valid JSON");
  }
}

/** The one parser behind both entry points; `wanted` skips tensors nobody reads (never decoded). */
function parse(source: ByteSource, wanted: (name: string) => boolean): SafetensorsContents {
  const { header, base } = readHeader(source);
  const tensors: Record<string, RawTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") { metadata = info as unknown as Record<string, string>; continue; }
    if (!(info.dtype in ELEMENT_BYTES)) throw new SafetensorsError(`tensor ${name} has unsupported dtype ${info.dtype}`);
    const [begin, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * ELEMENT_BYTES[info.dtype] || begin < 0 || base + end > source.size) {
      throw new SafetensorsError(`tensor ${name}: data_offsets [${begin}, ${end}] do not fit shape [${info.shape}] or the file`);
    }
    if (wanted(name)) tensors[name] = { shape: info.shape, data: readTensor(source, info.dtype, count, base + begin) };
  }
  return { tensors, metadata };
}

const everyTensor = () => true;

/** Parses a safetensors file's bytes; throws SafetensorsError on a malformed file. */
export function readSafetensors(bytes: Buffer): SafetensorsContents {
  return parse({ size: bytes.byteLength, read: (into, position) => into.set(bytes.subarray(position, position + into.byteLength)) }, everyTensor);
}

/** Just the tensor names a file holds (its header), without reading any tensor. */
export function safetensorsNames(path: string): string[] {
  return withFile(path, (source) => Object.keys(readHeader(source).header).filter((n) => n !== "__metadata__"));
}

/**
 * Reads a safetensors file of any size, one tensor at a time straight from disk; `wanted` picks
 * the tensors to decode (default all). Throws SafetensorsError on a malformed file.
 */
export function readSafetensorsFile(path: string, wanted: (name: string) => boolean = everyTensor): SafetensorsContents {
  return withFile(path, (source) => parse(source, wanted));
}

function withFile<T>(path: string, use: (source: ByteSource) => T): T {
  const fd = openSync(path, "r");
  try {
    return use({ size: fstatSync(fd).size, read: (into, position) => readFully(fd, into, position) });
  } finally {
    closeSync(fd);
  }
}

/** The float32 values as little-endian bytes: a view of the array itself on little-endian hosts. */
function littleEndianBytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = Buffer.alloc(data.byteLength);
  data.forEach((v, i) => out.writeFloatLE(v, i * 4));
  return out;
}

/** The 8-byte length and JSON header of float32 tensors (sorted by name, like the reference implementation). */
function layout(tensors: Record<string, RawTensor>, metadata: Record<string, string>): { prefix: Buffer; names: string[]; dataBytes: number } {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const bytes = tensors[name].data.length * 4;
    header[name] = { dtype: "F32", shape: tensors[name].shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // data aligned to 8 bytes
  const headerBytes = Buffer.from(json, "utf8");
  const prefix = Buffer.alloc(8 + headerBytes.length);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(prefix, 8);
  return { prefix, names, dataBytes: offset };
}

/** Serializes float32 tensors into one Buffer (small files: optimizer state, heads, adapters). */
export function writeSafetensors(tensors: Record<string, RawTensor>, metadata: Record<string, string> = { format: "pt" }): Buffer {
  const { prefix, names, dataBytes } = layout(tensors, metadata);
  const out = Buffer.alloc(prefix.length + dataBytes);
  prefix.copy(out, 0);
  let at = prefix.length;
  for (const name of names) {
    out.set(littleEndianBytes(tensors[name].data), at);
    at += tensors[name].data.byteLength;
  }
  return out;
}

/** The same file written tensor by tensor, never whole in memory (a Buffer stops at 4 GiB; Llama-3.2-1B in fp32 is 4.9 GB). */
export function writeSafetensorsFile(path: string, tensors: Record<string, RawTensor>, metadata: Record<string, string> = { format: "pt" }): void {
  const { prefix, names } = layout(tensors, metadata);
  const fd = openSync(path, "w");
  try {
    writeFully(fd, prefix, 0);
    let at = prefix.length;
    for (const name of names) {
      writeFully(fd, littleEndianBytes(tensors[name].data), at);
      at += tensors[name].data.byteLength;
    }
  } finally {
    closeSync(fd);
  }
}
