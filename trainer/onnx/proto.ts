// Encodes and decodes ONNX models with protobufjs and the schema subset in onnx.proto. The schema
// is parsed at run time (no generated code to keep in sync); protobufjs maps its snake_case
// fields to camelCase, so the plain objects below use camelCase names.
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

export interface StringEntry {
  key: string;
  value: string;
}

/** TensorProto as plain data: weights go in `rawData` (little-endian), never in float_data. */
export interface TensorData {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  externalData?: StringEntry[];
  dataLocation?: number;
}

export interface AttributeData {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorData;
  floats?: number[];
  ints?: number[];
}

export interface NodeData {
  opType: string;
  input: string[];
  output: string[];
  name?: string;
  domain?: string;
  attribute?: AttributeData[];
}

/** A dimension is either fixed (a number) or symbolic (a name such as "batch"). */
export type Dim = number | string;

export interface ValueInfoData {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: Array<{ dimValue?: number; dimParam?: string }> } } };
}

export interface GraphData {
  name: string;
  node: NodeData[];
  initializer: TensorData[];
  input: ValueInfoData[];
  output: ValueInfoData[];
}

export interface ModelData {
  irVersion: number;
  opsetImport: Array<{ domain: string; version: number }>;
  producerName: string;
  producerVersion?: string;
  graph: GraphData;
  metadataProps?: StringEntry[];
}

let modelType: protobuf.Type | undefined;

function getModelType(): protobuf.Type {
  if (!modelType) {
    const root = protobuf.loadSync(fileURLToPath(new URL("./onnx.proto", import.meta.url)));
    modelType = root.lookupType("onnx.ModelProto");
  }
  return modelType;
}

/** Serializes a model to the bytes ONNX Runtime (or an `.onnx` file) takes. */
export function encodeModel(model: ModelData): Uint8Array {
  const type = getModelType();
  const message = type.fromObject(model);
  return type.encode(message).finish();
}

/** Parses model bytes back to plain data (int64 as numbers, bytes as Uint8Array); for tests and inspection. */
export function decodeModel(bytes: Uint8Array): ModelData {
  const type = getModelType();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false, arrays: true }) as ModelData;
}
