// Lowers preflab's primitive-op IR (trainer/graph/ir.ts) to ONNX nodes, one small function per
// op. IR value names are kept as ONNX names, so graph outputs ("logits", "present.0.key") and
// parameters ("transformer.wte.weight") come out under their public names.
import type { DType, Graph, GraphNode, OpName } from "../graph/ir";
import { validateGraph } from "../graph/ir";
import { attrFloat, attrInt, attrInts, attrString, boolTensor, DataType, floatTensor, int32Tensor, int64Tensor } from "./builders";
import { DEFAULT_OPSET, OnnxGraphBuilder } from "./graph-builder";
import type { TensorData } from "./proto";

export const ONNX_DTYPE: Record<DType, number> = {
  float32: DataType.FLOAT,
  int64: DataType.INT64,
  int32: DataType.INT32,
  bool: DataType.BOOL,
};

/** Everything a per-op lowering needs: the builder, the opset, and the node being lowered. */
interface LowerContext {
  g: OnnxGraphBuilder;
  opset: number;
}

// The IR node type for op K (several ops share one attrs shape, e.g. softmax and logSoftmax).
type NodeIn<N, K> = N extends { op: infer O } ? ([K] extends [O] ? N : never) : never;
type NodeOf<K extends OpName> = NodeIn<GraphNode, K>;
type Lower<K extends OpName> = (ctx: LowerContext, node: NodeOf<K>, out: string) => void;

const simple = <K extends OpName>(onnxOp: string): Lower<K> => ({ g }, node, out) => void g.op(onnxOp, node.inputs, [], out);

// Slice ends such as 2^63-1 or Infinity mean "to the end"; ONNX clamps, BigInt needs integers.
const clampIndex = (v: number) => Math.max(-(2 ** 53), Math.min(2 ** 53, Number.isFinite(v) ? v : Math.sign(v) * 2 ** 53));

function lowerGelu({ g }: LowerContext, node: NodeOf<"gelu">, out: string): void {
  const x = node.inputs[0];
  let inner: string;
  if (node.approximate === "tanh") {
    // gelu_new written as √(2/π)·x·(1 + 0.044715·x·x), the exact node order ONNX Runtime's
    // FastGeluFusion recognizes: the whole activation then runs as one fused kernel.
    const poly = g.op("Add", [g.op("Mul", [g.op("Mul", [x, g.float([0.044715])]), x]), g.float([1])]);
    inner = g.op("Tanh", [g.op("Mul", [g.op("Mul", [x, g.float([Math.sqrt(2 / Math.PI)])]), poly])]);
  } else {
    inner = g.op("Erf", [g.op("Div", [x, g.float([Math.SQRT2])])]);
  }
  g.op("Mul", [g.op("Mul", [x, g.float([0.5])]), g.op("Add", [inner, g.float([1])])], [], out);
}

function lowerReduce({ g, opset }: LowerContext, node: NodeOf<"reduceMean"> | NodeOf<"reduceSum">, out: string): void {
  const onnxOp = node.op === "reduceMean" ? "ReduceMean" : "ReduceSum";
  const keep = attrInt("keepdims", node.keepDims ? 1 : 0);
  // ReduceSum took axes as an input from opset 13, ReduceMean only from opset 18.
  const axesAsInput = onnxOp === "ReduceSum" || opset >= 18;
  if (axesAsInput) g.op(onnxOp, [node.inputs[0], g.int64(node.axes)], [keep], out);
  else g.op(onnxOp, [node.inputs[0]], [keep, attrInts("axes", node.axes)], out);
}

/** mask[i][j] = j <= i + (k - q) for scores [..., q, k]: query i sits at absolute position past + i. */
function lowerCausalMask({ g }: LowerContext, node: NodeOf<"causalMask">, out: string): void {
  const shape = g.op("Shape", [node.inputs[0]]);
  const q = g.op("Gather", [shape, g.int64([-2], [])]); // scalar
  const k = g.op("Gather", [shape, g.int64([-1], [])]); // scalar
  const zero = g.int64([0], []);
  const one = g.int64([1], []);
  const rows = g.op("Add", [g.op("Range", [zero, q, one]), g.op("Sub", [k, q])]); // [q]: absolute positions
  const cols = g.op("Range", [zero, k, one]); // [k]
  g.op("LessOrEqual", [cols, g.op("Unsqueeze", [rows, g.int64([1])])], [], out); // [q, k]
}

function constantTensor(name: string, node: NodeOf<"constant">): TensorData {
  const make = { float32: () => floatTensor(name, node.shape, Float32Array.from(node.value)), int64: () => int64Tensor(name, node.shape, node.value), int32: () => int32Tensor(name, node.shape, node.value), bool: () => boolTensor(name, node.shape, node.value) };
  return make[node.dtype]();
}

const LOWER: { [K in OpName]: Lower<K> } = {
  add: simple("Add"), sub: simple("Sub"), mul: simple("Mul"), div: simple("Div"), pow: simple("Pow"),
  neg: simple("Neg"), exp: simple("Exp"), sqrt: simple("Sqrt"), tanh: simple("Tanh"), sigmoid: simple("Sigmoid"), erf: simple("Erf"),
  matmul: simple("MatMul"), where: simple("Where"), and: simple("And"),
  gelu: lowerGelu,
  layerNorm: ({ g }, n, out) => void g.op("LayerNormalization", n.inputs, [attrInt("axis", -1), attrFloat("epsilon", n.epsilon)], out),
  reduceMean: lowerReduce, reduceSum: lowerReduce,
  softmax: ({ g }, n, out) => void g.op("Softmax", n.inputs, [attrInt("axis", n.axis)], out),
  logSoftmax: ({ g }, n, out) => void g.op("LogSoftmax", n.inputs, [attrInt("axis", n.axis)], out),
  gather: ({ g }, n, out) => void g.op("Gather", n.inputs, [attrInt("axis", n.axis)], out),
  reshape: ({ g }, n, out) => void g.op("Reshape", [n.inputs[0], g.int64(n.shape)], [], out),
  transpose: ({ g }, n, out) => void g.op("Transpose", n.inputs, [attrInts("perm", n.perm)], out),
  concat: ({ g }, n, out) => void g.op("Concat", n.inputs, [attrInt("axis", n.axis)], out),
  split: ({ g }, n) => void g.opNamed("Split", [n.inputs[0], g.int64(n.sizes)], n.outputs, [attrInt("axis", n.axis)]),
  slice: ({ g }, n, out) => void g.op("Slice", [n.inputs[0], g.int64(n.starts.map(clampIndex)), g.int64(n.ends.map(clampIndex)), g.int64(n.axes)], [], out),
  causalMask: lowerCausalMask,
  cast: ({ g }, n, out) => void g.op("Cast", n.inputs, [attrInt("to", ONNX_DTYPE[n.to])], out),
  constant: ({ g }, n, out) => void g.addInitializer(constantTensor(out, n)),
  log: simple("Log"),
  gatherElements: ({ g }, n, out) => void g.op("GatherElements", n.inputs, [attrInt("axis", n.axis)], out),
  scatterElementsAdd: ({ g }, n, out) => void g.op("ScatterElements", n.inputs, [attrInt("axis", n.axis), attrString("reduction", "add")], out),
  scatterNDAdd: ({ g }, n, out) => void g.op("ScatterND", n.inputs, [attrString("reduction", "add")], out),
  // ConstantOfShape's default value is float32 0: zeros are made at run time, never stored.
  zeros: ({ g }, n, out) => void g.op("ConstantOfShape", [g.int64(n.shape)], [], out),
  expand: ({ g }, n, out) => void g.op("Expand", [n.inputs[0], g.int64(n.shape)], [], out),
  pad: ({ g }, n, out) => void g.op("Pad", [n.inputs[0], g.int64(n.pads)], [], out),
};

/** Looks up a parameter's values by its HF name (row-major, the ParamSpec's shape). */
export type WeightSource = (name: string) => Float32Array;

/** Translates a validated IR graph, with its parameters as initializers, into an ONNX graph. */
export function lowerGraph(graph: Graph, weights: WeightSource, opset = DEFAULT_OPSET): OnnxGraphBuilder {
  validateGraph(graph);
  const g = new OnnxGraphBuilder(graph.name);
  g.reserve(graph.nodes.flatMap((n) => n.outputs));
  for (const input of graph.inputs) g.addInput(input.name, ONNX_DTYPE[input.dtype], input.shape);
  for (const p of graph.params) g.addWeight(p.name, p.shape, weights(p.name));
  const ctx: LowerContext = { g, opset };
  for (const node of graph.nodes) (LOWER[node.op] as Lower<OpName>)(ctx, node as never, node.outputs[0]);
  for (const output of graph.outputs) g.addOutput(output.name, output.name, ONNX_DTYPE[output.dtype], output.shape);
  return g;
}
