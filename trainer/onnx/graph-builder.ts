// Accumulates an ONNX graph: nodes get fresh output names, constants are deduplicated, and
// `toModel` wraps everything in a ModelProto for one opset. Lowerings call `op` once per
// primitive and never deal with protobuf objects directly.
import { DataType, floatTensor, int64Tensor, makeNode, valueInfo } from "./builders";
import type { AttributeData, Dim, ModelData, NodeData, TensorData, ValueInfoData } from "./proto";

/** Opset 17: the first with LayerNormalization; ONNX Runtime and transformers.js both run it. */
export const DEFAULT_OPSET = 17;
/** IR version 8 is the one opset 17 was released with. */
const IR_VERSION = 8;

export class OnnxGraphBuilder {
  private readonly nodes: NodeData[] = [];
  private readonly initializers: TensorData[] = [];
  private readonly inputs: ValueInfoData[] = [];
  private readonly outputs: ValueInfoData[] = [];
  private readonly constants = new Map<string, string>();
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly name = "preflab") {}

  /** A name no other value in this graph has (hint kept readable for debugging in Netron). */
  fresh(hint: string): string {
    let candidate = hint;
    while (this.used.has(candidate)) candidate = `${hint}_${++this.counter}`;
    this.used.add(candidate);
    return candidate;
  }

  /** Adds one node with a single output and returns that output's name. */
  op(opType: string, input: string[], attrs: AttributeData[] = [], outName?: string): string {
    const out = outName ?? this.fresh(`${opType.toLowerCase()}_${this.nodes.length}`);
    if (outName) this.used.add(outName);
    this.nodes.push(makeNode(opType, input, [out], attrs, this.fresh(`n_${out}`)));
    return out;
  }

  /** Adds one node whose outputs already have names (several for Split); returns them. */
  opNamed(opType: string, input: string[], outputs: string[], attrs: AttributeData[] = []): string[] {
    this.reserve(outputs);
    this.nodes.push(makeNode(opType, input, outputs, attrs, this.fresh(`n_${outputs[0]}`)));
    return outputs;
  }

  /** Marks names as taken, so `fresh` never hands them out (a lowering's SSA names). */
  reserve(names: Iterable<string>): void {
    for (const name of names) this.used.add(name);
  }

  addInput(name: string, elemType: number, dims: Dim[]): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Declares `value` as a graph output; renamed through Identity when it carries another name. */
  addOutput(name: string, value: string, elemType: number, dims: Dim[]): void {
    if (value !== name) this.op("Identity", [value], [], name);
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  addWeight(name: string, dims: number[], data: Float32Array): string {
    return this.addInitializer(floatTensor(name, dims, data));
  }

  /** Adds a ready-made initializer (any dtype) under its own name. */
  addInitializer(tensor: TensorData): string {
    this.used.add(tensor.name);
    this.initializers.push(tensor);
    return tensor.name;
  }

  /** An int64 constant (shapes, axes, indices), shared by every node that needs the same values. */
  int64(values: number[], dims: number[] = [values.length]): string {
    return this.constant(`i64:${dims}:${values}`, () => int64Tensor(this.fresh("const_i64"), dims, values));
  }

  /** A float constant (scales, epsilons, masks' fill value). */
  float(values: number[], dims: number[] = values.length === 1 ? [] : [values.length]): string {
    return this.constant(`f32:${dims}:${values}`, () => floatTensor(this.fresh("const_f32"), dims, Float32Array.from(values)));
  }

  private constant(key: string, make: () => TensorData): string {
    const known = this.constants.get(key);
    if (known) return known;
    const tensor = make();
    this.initializers.push(tensor);
    this.constants.set(key, tensor.name);
    return tensor.name;
  }

  toModel(opset = DEFAULT_OPSET, metadata: Record<string, string> = {}): ModelData {
    return {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: "", version: opset }],
      producerName: "preflab",
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    };
  }
}

export { DataType };
