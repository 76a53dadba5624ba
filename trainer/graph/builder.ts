// A small fluent helper that architecture builders (GPT-2, later Llama) use to emit IR nodes
// without hand-writing SSA names. Every method appends one node and returns its output name(s).
import type { DType, Graph, GraphNode, OpAttrs, ParamInit, ParamSpec, ValueSpec } from "./ir";
import { validateGraph } from "./ir";

// The attributes of op K (distributes over OpAttrs so grouped members like "softmax" | "logSoftmax" match).
type AttrsOf<T, K> = T extends { op: infer O } ? (K extends O ? Omit<T, "op"> : never) : never;
/** The attributes of op K, without `op` (what `GraphBuilder.op` and the autodiff's emitter take). */
export type Attrs<K extends OpAttrs["op"]> = AttrsOf<OpAttrs, K>;

export class GraphBuilder {
  readonly inputs: ValueSpec[] = [];
  readonly outputs: ValueSpec[] = [];
  readonly params: ParamSpec[] = [];
  readonly nodes: GraphNode[] = [];
  private counter = 0;
  /** Value names already used (those of an extended graph), never handed out again. */
  private readonly taken = new Set<string>();

  constructor(readonly name: string) {}

  /** A builder holding all of `graph` so more nodes can be appended (e.g. a loss); new names never clash with its values. */
  static extending(graph: Graph): GraphBuilder {
    const g = new GraphBuilder(graph.name);
    g.inputs.push(...graph.inputs);
    g.params.push(...graph.params);
    g.nodes.push(...graph.nodes);
    g.outputs.push(...graph.outputs);
    for (const name of [...graph.inputs.map((v) => v.name), ...graph.params.map((p) => p.name), ...graph.nodes.flatMap((n) => n.outputs)]) g.taken.add(name);
    return g;
  }

  /** `${name}:${n}` for the next n not taken. */
  private fresh(name: string): string {
    let out: string;
    do out = `${name}:${this.counter++}`;
    while (this.taken.has(out));
    return out;
  }

  /** Declares a graph input and returns its value name. */
  input(name: string, dtype: DType, shape: (number | string)[]): string {
    this.inputs.push({ name, dtype, shape });
    return name;
  }

  /** Declares a value already produced as a graph output (with its public spec). */
  output(name: string, dtype: DType, shape: (number | string)[]): void {
    this.outputs.push({ name, dtype, shape });
  }

  /** Declares a learned parameter (HF name and layout) and returns its value name. */
  param(name: string, shape: number[], init: ParamInit): string {
    this.params.push({ name, shape, init });
    return name;
  }

  /**
   * Appends a node. `name` scopes the node; `out` optionally fixes the output name (graph
   * outputs such as "logits" must have their public names).
   */
  op<K extends OpAttrs["op"]>(op: K, name: string, inputs: string[], attrs: Attrs<K>, out?: string): string {
    const output = out ?? this.fresh(name);
    this.nodes.push({ op, ...attrs, name: `${name}#${this.nodes.length}`, inputs, outputs: [output] } as GraphNode);
    return output;
  }

  /** Splits `x` along `axis` into pieces of `sizes`; returns one name per piece. */
  split(name: string, x: string, axis: number, sizes: number[]): string[] {
    const outputs = sizes.map((_, i) => `${this.fresh(name)}.${i}`);
    this.nodes.push({ op: "split", axis, sizes, name: `${name}#${this.nodes.length}`, inputs: [x], outputs });
    return outputs;
  }

  /** A float32 scalar constant. */
  scalar(name: string, value: number): string {
    return this.op("constant", name, [], { value: [value], shape: [], dtype: "float32" });
  }

  /** x·W + b with W in Conv1D layout [in, out] (HF GPT-2's Linear). */
  linear(name: string, x: string, weight: string, bias?: string): string {
    const y = this.op("matmul", name, [x, weight], {});
    return bias ? this.op("add", name, [y, bias], {}) : y;
  }

  /** Finishes and validates the graph. */
  build(): Graph {
    const graph: Graph = { name: this.name, inputs: this.inputs, outputs: this.outputs, params: this.params, nodes: this.nodes };
    validateGraph(graph);
    return graph;
  }
}
