// Reverse-mode autodiff over the IR: the backward pass of a graph is emitted as MORE IR nodes
// (one rule per op in ./backward/), so the same gradient graph runs on tfjs (tfjs-exec.ts) and
// lowers to ONNX (trainer/onnx/lower.ts) for ONNX Runtime. Shapes are static: a training step
// fixes batch and sequence, and the rules need them for reshapes, reductions and zeros.
import type { Attrs } from "./builder";
import { BACKWARD, type Backward, type Rule } from "./backward";
import type { NodeOf } from "./backward/types";
import type { Graph, GraphNode, OpName, ValueSpec } from "./ir";
import { neededNodes, validateGraph } from "./ir";
import { inferShapes, sizeOf, type ValueInfo } from "./shapes";

/** The name of dL/d(value) in a gradient graph's outputs. */
export const gradName = (value: string) => `grad/${value}`;

export interface GradientOptions {
  /** Scalar float32 value to differentiate (e.g. "loss"). Exactly one of loss / seeds. */
  loss?: string;
  /** Vector-Jacobian product instead: forward value name → name of a NEW graph input (same
   *  shape, float32) holding dL/d(value) computed elsewhere (e.g. by a tfjs loss). */
  seeds?: Record<string, string>;
  /** Params or float graph inputs to differentiate with respect to. */
  wrt: string[];
  /** Static shape of every graph input for this specialisation (training steps have fixed batch and sequence). */
  inputShapes: Record<string, number[]>;
  /** Forward outputs to keep as outputs of the returned graph (default: the loss, if any). */
  keep?: string[];
}

/** Emits backward nodes with fresh names; knows the forward values' static shapes. */
class BackwardEmitter implements Backward {
  readonly nodes: GraphNode[] = [];
  private counter = 0;
  /** Set by the driver: the forward node whose rule is running (names its backward nodes). */
  scope = "";
  /** Every value's producing node, forward and backward (for the transpose peepholes). */
  private readonly producers = new Map<string, GraphNode>();
  private readonly backward = new Set<GraphNode>();

  constructor(private readonly info: Map<string, ValueInfo>, private readonly taken: Set<string>, forward: GraphNode[]) {
    for (const node of forward) for (const o of node.outputs) this.producers.set(o, node);
  }

  op<K extends OpName>(op: K, inputs: string[], attrs: Attrs<K>): string {
    if (op === "transpose") {
      const simpler = this.simplifyTranspose(inputs[0], (attrs as Attrs<"transpose">).perm);
      if (simpler) return simpler;
    }
    return this.emit(op, inputs, attrs);
  }

  /**
   * Transposes the rules would stack: transpose(transpose(x)) composes (and vanishes when it is
   * the identity: a tied LM head's dy·(wteᵀ)ᵀ is dy·wte), and (A·B)ᵀ of a backward matmul is
   * Bᵀ·Aᵀ, whose transposes ONNX Runtime folds into the GEMM (a transposed [e, vocab]
   * gradient would otherwise be copied once more, ~1 s per step at GPT-2 sizes).
   */
  private simplifyTranspose(x: string, perm: number[]): string | undefined {
    const src = this.producers.get(x);
    if (src?.op === "transpose") {
      const composed = perm.map((p) => src.perm[p]);
      return composed.every((p, i) => p === i) ? src.inputs[0] : this.emit("transpose", [src.inputs[0]], { perm: composed });
    }
    if (src?.op === "matmul" && this.backward.has(src) && perm.length === 2 && perm[0] === 1) {
      const [a, b] = src.inputs;
      return this.emit("matmul", [this.op("transpose", [b], { perm: [1, 0] }), this.op("transpose", [a], { perm: [1, 0] })], {});
    }
    return undefined;
  }

  private emit<K extends OpName>(op: K, inputs: string[], attrs: Attrs<K>): string {
    let out: string;
    do out = `bwd/${this.scope}:${this.counter++}`;
    while (this.taken.has(out));
    this.taken.add(out);
    const node = { op, ...attrs, name: `bwd/${this.scope}#${this.nodes.length}`, inputs, outputs: [out] } as GraphNode;
    this.nodes.push(node);
    this.producers.set(out, node);
    this.backward.add(node);
    return out;
  }

  private readonly scalars = new Map<number, string>();

  /** One constant node per distinct scalar (the rules ask for 0, 1, 0.5... many times). */
  scalar(value: number): string {
    const known = this.scalars.get(value);
    if (known) return known;
    const name = this.emit("constant", [], { value: [value], shape: [], dtype: "float32" });
    this.scalars.set(value, name);
    return name;
  }

  producer(value: string): GraphNode | undefined {
    const node = this.producers.get(value);
    return node && this.backward.has(node) ? node : undefined;
  }

  shape(value: string): number[] {
    const known = this.info.get(value);
    if (!known) throw new Error(`autodiff: no shape for "${value}"`);
    return known.shape;
  }

  unbroadcast(grad: string, gradShape: number[], target: number[]): string {
    if (gradShape.join() === target.join()) return grad;
    const lead = gradShape.length - target.length;
    const axes = gradShape.map((_, i) => i).filter((i) => i < lead || (target[i - lead] === 1 && gradShape[i] !== 1));
    const summed = axes.length > 0 ? this.op("reduceSum", [grad], { axes, keepDims: false }) : grad;
    const left = gradShape.filter((_, i) => !axes.includes(i));
    return left.join() === target.join() ? summed : this.op("reshape", [summed], { shape: target });
  }
}

/** The backward scatter-add node producing `value` when its base is run-time zeros. */
function zeroBasedScatter(b: BackwardEmitter, value: string): NodeOf<"scatterElementsAdd"> | NodeOf<"scatterNDAdd"> | undefined {
  const node = b.producer(value);
  if (node?.op !== "scatterElementsAdd" && node?.op !== "scatterNDAdd") return undefined;
  return b.producer(node.inputs[0])?.op === "zeros" ? node : undefined;
}

/** Values that depend on a wrt value through float32 values only (integer paths carry no gradient). */
function dependsOnWrt(graph: Graph, wrt: string[], info: Map<string, ValueInfo>): Set<string> {
  const reached = new Set(wrt);
  for (const node of graph.nodes) {
    if (!node.inputs.some((i) => reached.has(i))) continue;
    for (const out of node.outputs) if (info.get(out)?.dtype === "float32") reached.add(out);
  }
  return reached;
}

/** Values the targets (loss or seeded values) depend on. */
function reachesTargets(graph: Graph, targets: string[]): Set<string> {
  const reached = new Set(targets);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (node.outputs.some((o) => reached.has(o))) for (const input of node.inputs) reached.add(input);
  }
  return reached;
}

function checkOptions(graph: Graph, o: GradientOptions, info: Map<string, ValueInfo>): void {
  if ((o.loss === undefined) === (o.seeds === undefined)) throw new Error("gradientGraph: give exactly one of loss or seeds");
  const sources = new Set([...graph.inputs.map((v) => v.name), ...graph.params.map((p) => p.name)]);
  for (const w of o.wrt) {
    if (!sources.has(w)) throw new Error(`gradientGraph: wrt "${w}" is not a parameter or graph input of ${graph.name}`);
    if (info.get(w)?.dtype !== "float32") throw new Error(`gradientGraph: wrt "${w}" is not float32`);
    if (info.has(gradName(w))) throw new Error(`gradientGraph: ${graph.name} already has a value named "${gradName(w)}"`);
  }
  if (o.loss !== undefined) {
    const loss = info.get(o.loss);
    if (!loss || loss.dtype !== "float32" || sizeOf(loss.shape) !== 1) throw new Error(`gradientGraph: loss "${o.loss}" must be a float32 value with one element`);
  }
  for (const [value, seed] of Object.entries(o.seeds ?? {})) {
    if (info.get(value)?.dtype !== "float32") throw new Error(`gradientGraph: seeded value "${value}" is not a float32 value of ${graph.name}`);
    if (info.has(seed)) throw new Error(`gradientGraph: seed input "${seed}" clashes with an existing value`);
  }
  for (const k of o.keep ?? []) if (!info.has(k)) throw new Error(`gradientGraph: keep "${k}" is not a value of ${graph.name}`);
}

/** The forward nodes plus backward nodes; outputs = keep + one `gradName(w)` per wrt (float32, w's shape). */
export function gradientGraph(graph: Graph, o: GradientOptions): Graph {
  const info = inferShapes(graph, o.inputShapes);
  checkOptions(graph, o, info);
  const seeds = Object.entries(o.seeds ?? {});
  const seedInputs: ValueSpec[] = seeds.map(([value, seed]) => ({ name: seed, dtype: "float32", shape: info.get(value)?.shape as number[] }));
  const taken = new Set([...info.keys(), ...seedInputs.map((s) => s.name), ...o.wrt.map(gradName)]);
  const b = new BackwardEmitter(info, taken, graph.nodes);

  // dL/d(value) contributions, summed when a value fans out.
  const contributions = new Map<string, string[]>();
  const contribute = (value: string, grad: string) => contributions.set(value, [...(contributions.get(value) ?? []), grad]);
  const total = (value: string): string | undefined => {
    const parts = contributions.get(value) ?? [];
    // A scatter-add into zeros (an embedding's gradient) scatters into the other contributions'
    // sum instead: a tied embedding's [vocab, e] gradient then needs no zeros and no add.
    const scatters = parts.map((p) => zeroBasedScatter(b, p));
    const dense = parts.filter((_, i) => !scatters[i]).reduce<string | undefined>((sum, part) => (sum ? b.op("add", [sum, part], {}) : part), undefined);
    return scatters.reduce<string | undefined>((sum, s, i) => (!s ? sum : !sum ? parts[i] : b.op(s.op, [sum, s.inputs[1], s.inputs[2]], s.op === "scatterElementsAdd" ? { axis: s.axis } : {})), dense);
  };
  b.scope = "seed";
  if (o.loss !== undefined) contribute(o.loss, b.op("constant", [], { value: [1], shape: info.get(o.loss)?.shape as number[], dtype: "float32" }));
  for (const [value, seed] of seeds) contribute(value, seed);

  const fromWrt = dependsOnWrt(graph, o.wrt, info);
  const toTargets = reachesTargets(graph, o.loss !== undefined ? [o.loss] : seeds.map(([v]) => v));
  const onPath = (v: string) => fromWrt.has(v) && toTargets.has(v);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (!node.outputs.some(onPath)) continue;
    b.scope = node.name;
    const dys = node.outputs.map((out) => (onPath(out) ? total(out) : undefined));
    if (dys.every((d) => d === undefined)) continue;
    const needs = node.inputs.map(onPath);
    const grads = (BACKWARD[node.op] as Rule<OpName>)(b, node as never, dys, needs);
    node.inputs.forEach((input, j) => {
      const grad = grads[j];
      if (needs[j] && grad !== undefined) contribute(input, grad);
    });
  }

  for (const w of o.wrt) {
    b.scope = gradName(w);
    const shape = info.get(w)?.shape as number[];
    const sum = total(w) ?? b.op("zeros", [], { shape });
    // A fresh identity names the result: the summed value may also be another value's gradient
    // (add passes dy to both operands), so renaming its producer could break that one.
    b.nodes.push({ op: "reshape", shape, name: `bwd/${gradName(w)}#${b.nodes.length}`, inputs: [sum], outputs: [gradName(w)] });
  }
  const nodes = [...graph.nodes, ...b.nodes];

  const keep = o.keep ?? (o.loss !== undefined ? [o.loss] : []);
  const outputs: ValueSpec[] = [
    ...keep.map((name) => ({ name, dtype: info.get(name)?.dtype as ValueSpec["dtype"], shape: info.get(name)?.shape as number[] })),
    ...o.wrt.map((w) => ({ name: gradName(w), dtype: "float32" as const, shape: info.get(w)?.shape as number[] })),
  ];
  const needed = neededNodes(nodes, outputs.map((v) => v.name));
  const result: Graph = {
    name: graph.name,
    inputs: [...graph.inputs.map((v) => ({ ...v, shape: o.inputShapes[v.name] })), ...seedInputs],
    outputs,
    params: graph.params,
    // Only what the outputs need: forward nodes the backward pass does not read drop out.
    nodes: nodes.filter((n) => needed.has(n)),
  };
  validateGraph(result);
  return result;
}
