// A minimal safetensors reader/writer: 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}, then the raw
// little-endian tensor bytes. F32, F16 and BF16 are read (as float32: real Llama/Qwen checkpoints
// ship BF16); only F32 is written.

/** A tensor as plain data: float32 values in row-major order. */
export interface RawTensor {
  shape: number[];
  data: Float32Array;
}

export class SafetensorsError extends Error {}

const ELEMENT_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function decode(dtype: string, bytes: Buffer): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / ELEMENT_BYTES[dtype];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (dtype === "F32") out[i] = view.getFloat32(i * 4, true);
    else if (dtype === "F16") out[i] = halfToFloat(view.getUint16(i * 2, true));
    else out[i] = new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0];
  }
  return out;
}

/** Parses a safetensors file's bytes; throws SafetensorsError on a malformed file. */
export function readSafetensors(bytes: Buffer): { tensors: Record<string, RawTensor>; metadata: Record<string, string> } {
  if (bytes.byteLength < 8) throw new SafetensorsError("file is shorter than the 8-byte header length");
  const headerLen = Number(bytes.readBigUInt64LE(0));
  if (8 + headerLen > bytes.byteLength) throw new SafetensorsError(`header length ${headerLen} runs past the end of the file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString("utf8"));
  } catch {
    throw new SafetensorsError("header is not valid JSON");
  }
  const base = 8 + headerLen;
  const tensors: Record<string, RawTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") { metadata = info as unknown as Record<string, string>; continue; }
    if (!(info.dtype in ELEMENT_BYTES)) throw new SafetensorsError(`tensor ${name} has unsupported dtype ${info.dtype}`);
    const [begin, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * ELEMENT_BYTES[info.dtype] || base + end > bytes.byteLength) {
      throw new SafetensorsError(`tensor ${name}: data_offsets [${begin}, ${end}] do not fit shape [${info.shape}] or the file`);
    }
    tensors[name] = { shape: info.shape, data: decode(info.dtype, bytes.subarray(base + begin, base + end)) };
  }
  return { tensors, metadata };
}

/** Serializes float32 tensors (sorted by name, like the reference implementation). */
export function writeSafetensors(tensors: Record<string, RawTensor>, metadata: Record<string, string> = { format: "pt" }): Buffer {
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
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const data = tensors[name].data;
    for (let i = 0; i < data.length; i++) out.writeFloatLE(data[i], at + i * 4);
    at += data.length * 4;
  }
  return out;
}
