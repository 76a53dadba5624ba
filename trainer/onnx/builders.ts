// Small constructors for ONNX protobuf pieces: tensors (weights as raw little-endian bytes),
// attributes tagged with their official type codes, value infos with fixed or symbolic dims.
import type { AttributeData, Dim, NodeData, TensorData, ValueInfoData } from "./proto";

/** TensorProto.DataType codes of the element types preflab uses. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;

/** AttributeProto.AttributeType codes. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

function bytesOf(view: ArrayBufferView): Uint8Array {
  // A view, not a copy: GPT-2-sized exports would otherwise hold every weight twice before
  // encoding. Exports encode synchronously, so the caller cannot change the data in between.
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export function floatTensor(name: string, dims: number[], data: Float32Array): TensorData {
  checkSize(name, dims, data.length);
  return { name, dims, dataType: DataType.FLOAT, rawData: bytesOf(data) };
}

export function int64Tensor(name: string, dims: number[], data: ArrayLike<number>): TensorData {
  checkSize(name, dims, data.length);
  const big = BigInt64Array.from(Array.from(data, (v) => BigInt(v)));
  return { name, dims, dataType: DataType.INT64, rawData: bytesOf(big) };
}

function checkSize(name: string, dims: number[], length: number): void {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== length) throw new Error(`tensor ${name}: dims [${dims}] need ${size} values, got ${length}`);
}

export const attrInt = (name: string, i: number): AttributeData => ({ name, type: AttrType.INT, i });
export const attrFloat = (name: string, f: number): AttributeData => ({ name, type: AttrType.FLOAT, f });
export const attrInts = (name: string, ints: number[]): AttributeData => ({ name, type: AttrType.INTS, ints });
export const attrFloats = (name: string, floats: number[]): AttributeData => ({ name, type: AttrType.FLOATS, floats });
export const attrTensor = (name: string, t: TensorData): AttributeData => ({ name, type: AttrType.TENSOR, t });
export const attrString = (name: string, s: string): AttributeData => ({
  name,
  type: AttrType.STRING,
  s: new TextEncoder().encode(s),
});

export function makeNode(opType: string, input: string[], output: string[], attribute: AttributeData[] = [], name?: string): NodeData {
  return { opType, input, output, attribute, name: name ?? output[0] };
}

export function valueInfo(name: string, elemType: number, dims: Dim[]): ValueInfoData {
  const dim = dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

export function int32Tensor(name: string, dims: number[], data: ArrayLike<number>): TensorData {
  checkSize(name, dims, data.length);
  return { name, dims, dataType: DataType.INT32, rawData: bytesOf(Int32Array.from(data)) };
}

/** ONNX stores bool tensors as one byte per element. */
export function boolTensor(name: string, dims: number[], data: ArrayLike<number>): TensorData {
  checkSize(name, dims, data.length);
  return { name, dims, dataType: DataType.BOOL, rawData: Uint8Array.from(data, (v) => (v ? 1 : 0)) };
}
