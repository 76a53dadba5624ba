// ONNX external data: weights kept outside the protobuf (which cannot pass 2 GiB: Llama-3.2-1B in
// fp32 is ~4.9 GB). Each such initializer is a TensorProto with data_location = EXTERNAL and
// external_data {location, offset, length}. On disk they all go to one `model.onnx_data` beside
// `model.onnx` (the name transformers.js and optimum use: `${model file}_data`); for a session
// built in memory each tensor is its own named buffer handed to ONNX Runtime with the model
// (SessionOptions.externalData, which onnxruntime-node 1.30 copies at session creation).
import { closeSync, existsSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { basename } from "node:path";
import { writeFully } from "../checkpoint/file-io";
import type { TensorData } from "./proto";

/** TensorProto.DataLocation.EXTERNAL. */
const EXTERNAL = 1;
// ONNX Runtime's own writer: tensors from 1 MiB start on a 64 KiB boundary (the allocation
// granularity on Windows, a multiple of Linux's page size), so it can mmap them in place.
const ALIGN_THRESHOLD_BYTES = 1 << 20;
const ALIGNMENT_BYTES = 1 << 16;

/** One tensor's bytes and where the model says they are. */
export interface ExternalTensor {
  location: string;
  offset: number;
  bytes: Uint8Array;
}

/** An export: the model's protobuf and the tensors it keeps outside it (none when all are inline). */
export interface OnnxExport {
  model: Uint8Array;
  external: ExternalTensor[];
}

/** Where external data goes: one file beside the model, or one in-memory buffer per tensor. */
export type ExternalDataTarget = { file: string } | "memory";

/** The data file of a model file: `model.onnx` → `model.onnx_data`. */
export const externalDataPath = (modelPath: string) => `${modelPath}_data`;

/** Moves the raw data of `tensors` out of the protobuf (rewriting them in place) and lists where it went. */
export function externalize(tensors: TensorData[], target: ExternalDataTarget): ExternalTensor[] {
  const placed: ExternalTensor[] = [];
  let end = 0;
  for (const [i, tensor] of tensors.entries()) {
    const bytes = tensor.rawData;
    if (!bytes) throw new Error(`initializer ${tensor.name} has no raw data to move to external data`);
    let location: string;
    let offset = 0;
    if (target === "memory") {
      location = `preflab_weight_${i}`;
    } else {
      location = target.file;
      offset = bytes.byteLength >= ALIGN_THRESHOLD_BYTES ? Math.ceil(end / ALIGNMENT_BYTES) * ALIGNMENT_BYTES : end;
      end = offset + bytes.byteLength;
    }
    tensor.dataLocation = EXTERNAL;
    tensor.externalData = [
      { key: "location", value: location },
      { key: "offset", value: String(offset) },
      { key: "length", value: String(bytes.byteLength) },
    ];
    delete tensor.rawData;
    placed.push({ location, offset, bytes });
  }
  return placed;
}

function writeFileAt(path: string, pieces: Array<{ offset: number; bytes: Uint8Array }>): void {
  const fd = openSync(path, "w");
  try {
    for (const { offset, bytes } of pieces) writeFully(fd, bytes, offset); // alignment gaps read as zeros
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `model.onnx` and, with external data, `model.onnx_data` beside it. Both go to temporary
 * names first; the data file is renamed into place before the model, so a reader opening the
 * model never finds a half-written data file (onnxDataIsNewer tells a crash between the two
 * renames). A model written without external data removes a data file left by an earlier export.
 */
export function writeOnnxFiles(path: string, exported: OnnxExport): void {
  const dataPath = externalDataPath(path);
  const expected = basename(dataPath);
  const stray = exported.external.find((t) => t.location !== expected);
  if (stray) throw new Error(`external data of ${path} must go to ${expected}, not ${stray.location}`);
  const suffix = `.${process.pid}.tmp`;
  if (exported.external.length > 0) writeFileAt(dataPath + suffix, exported.external);
  writeFileAt(path + suffix, [{ offset: 0, bytes: exported.model }]);
  if (exported.external.length > 0) renameSync(dataPath + suffix, dataPath);
  renameSync(path + suffix, path);
  if (exported.external.length === 0) rmSync(dataPath, { force: true });
}

/** True when `model.onnx_data` was written after `model.onnx`: an export stopped between its two renames. */
export function onnxDataIsNewer(path: string): boolean {
  const dataPath = externalDataPath(path);
  return existsSync(dataPath) && statSync(dataPath).mtimeMs > statSync(path).mtimeMs;
}
