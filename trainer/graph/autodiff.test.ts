// The autodiff per primitive: a tiny graph → loss = Σ output · fixed random weights → the
// gradient graph on tfjs, against tfjs's own autodiff (tf.grads over executeGraph), against
// central finite differences (fp32, step 1e-2 on values of order 1), and the same gradient graph
// lowered to ONNX and run on ONNX Runtime. Errors are max |a − b| / max |b| per gradient.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { seededValues } from "../onnx/testing";
import { gradientGraph, gradName } from "./autodiff";
import { GraphBuilder } from "./builder";
import { finiteDifferences, ortGradients, tfjsGradients, tfjsReferenceGradients, tfjsRun, worstError, type HostValues } from "./gradient-testing";
import type { DType, Graph } from "./ir";
import { inferShapes, sizeOf } from "./shapes";

interface Case {
  name: string;
  /** Float inputs (random) or integer inputs (given data). */
  inputs?: Record<string, { shape: number[]; dtype?: DType; data?: number[] }>;
  /** Params (random), all differentiated like the float inputs. */
  params?: Record<string, number[]>;
  build: (g: GraphBuilder) => string;
}

// Stated tolerances (measured here: 2e-7, 2e-7 and 2.6e-4): exact-formula agreement in fp32, and
// fp32 central differences at h = 1e-2.
const TFJS_TOL = 1e-5;
const ORT_TOL = 1e-5;
const FD_TOL = 2e-3;
const FD_STEP = 1e-2;

/** Builds the case's graph with loss = Σ y · W (W a fixed random constant of y's shape). */
function prepare(c: Case, seed: number): { graph: Graph; values: HostValues; wrt: string[]; inputShapes: Record<string, number[]> } {
  const g = new GraphBuilder(c.name);
  const values: HostValues = {};
  const wrt: string[] = [];
  const inputShapes: Record<string, number[]> = {};
  let k = 0;
  for (const [name, spec] of Object.entries(c.inputs ?? {})) {
    const dtype = spec.dtype ?? "float32";
    g.input(name, dtype, spec.shape);
    inputShapes[name] = spec.shape;
    values[name] = { dtype, shape: spec.shape, data: spec.data ?? seededValues(sizeOf(spec.shape), seed * 100 + k++) };
    if (dtype === "float32") wrt.push(name);
  }
  for (const [name, shape] of Object.entries(c.params ?? {})) {
    g.param(name, shape, { kind: "zeros" });
    values[name] = { dtype: "float32", shape, data: seededValues(sizeOf(shape), seed * 100 + k++) };
    wrt.push(name);
  }
  const y = c.build(g);
  const shape = inferShapes({ name: c.name, inputs: g.inputs, outputs: [], params: g.params, nodes: g.nodes }, inputShapes).get(y)?.shape as number[];
  const weights = g.op("constant", "w", [], { value: Array.from(seededValues(sizeOf(shape), seed + 7)), shape, dtype: "float32" });
  g.op("reduceSum", "loss", [g.op("mul", "loss", [y, weights], {})], { axes: shape.map((_, i) => i), keepDims: false }, "loss");
  g.output("loss", "float32", []);
  return { graph: g.build(), values, wrt, inputShapes };
}

/** x² + 0.5: a positive operand (for div, sqrt, log, pow) that still carries x's gradient. */
const positive = (g: GraphBuilder, x: string) => g.op("add", "pos", [g.op("mul", "pos", [x, x], {}), g.scalar("pos", 0.5)], {});

const CASES: Case[] = [
  { name: "add (broadcast)", inputs: { x: { shape: [2, 3] } }, params: { p: [3] }, build: (g) => g.op("add", "y", ["x", "p"], {}) },
  { name: "sub (both broadcast)", inputs: { x: { shape: [2, 1, 3] } }, params: { p: [4, 1] }, build: (g) => g.op("sub", "y", ["x", "p"], {}) },
  { name: "mul (broadcast)", inputs: { x: { shape: [2, 3] } }, params: { p: [2, 1] }, build: (g) => g.op("mul", "y", ["x", "p"], {}) },
  { name: "div", inputs: { x: { shape: [2, 3] } }, params: { p: [3] }, build: (g) => g.op("div", "y", ["x", positive(g, "p")], {}) },
  { name: "pow (base and exponent)", inputs: { x: { shape: [2, 3] } }, params: { p: [3] }, build: (g) => g.op("pow", "y", [positive(g, "x"), "p"], {}) },
  { name: "pow by a constant 2 (RMSNorm)", inputs: { x: { shape: [2, 3] } }, build: (g) => g.op("pow", "y", ["x", g.scalar("two", 2)], {}) },
  { name: "neg", inputs: { x: { shape: [5] } }, build: (g) => g.op("neg", "y", ["x"], {}) },
  { name: "exp", inputs: { x: { shape: [5] } }, build: (g) => g.op("exp", "y", ["x"], {}) },
  { name: "sqrt", inputs: { x: { shape: [5] } }, build: (g) => g.op("sqrt", "y", [positive(g, "x")], {}) },
  { name: "log", inputs: { x: { shape: [5] } }, build: (g) => g.op("log", "y", [positive(g, "x")], {}) },
  { name: "tanh", inputs: { x: { shape: [5] } }, build: (g) => g.op("tanh", "y", ["x"], {}) },
  { name: "sigmoid", inputs: { x: { shape: [5] } }, build: (g) => g.op("sigmoid", "y", ["x"], {}) },
  { name: "erf", inputs: { x: { shape: [5] } }, build: (g) => g.op("erf", "y", ["x"], {}) },
  { name: "gelu tanh", inputs: { x: { shape: [7] } }, build: (g) => g.op("gelu", "y", [g.op("mul", "x3", ["x", g.scalar("s", 3)], {})], { approximate: "tanh" }) },
  { name: "gelu erf", inputs: { x: { shape: [7] } }, build: (g) => g.op("gelu", "y", [g.op("mul", "x3", ["x", g.scalar("s", 3)], {})], { approximate: "none" }) },
  { name: "matmul, broadcast batch dims", inputs: { a: { shape: [2, 1, 3, 4] } }, params: { b: [3, 4, 2] }, build: (g) => g.op("matmul", "y", ["a", "b"], {}) },
  { name: "matmul, rank-2 weight", inputs: { a: { shape: [2, 3, 4] } }, params: { w: [4, 2] }, build: (g) => g.op("matmul", "y", ["a", "w"], {}) },
  { name: "matmul, rank-2 left operand", inputs: { a: { shape: [3, 4] } }, params: { b: [2, 4, 2] }, build: (g) => g.op("matmul", "y", ["a", "b"], {}) },
  { name: "layerNorm", inputs: { x: { shape: [2, 3, 5] } }, params: { scale: [5], bias: [5] }, build: (g) => g.op("layerNorm", "y", ["x", "scale", "bias"], { epsilon: 1e-5 }) },
  { name: "softmax", inputs: { x: { shape: [2, 5] } }, build: (g) => g.op("softmax", "y", [g.op("mul", "x3", ["x", g.scalar("s", 3)], {})], { axis: -1 }) },
  { name: "logSoftmax", inputs: { x: { shape: [2, 5] } }, build: (g) => g.op("logSoftmax", "y", [g.op("mul", "x3", ["x", g.scalar("s", 3)], {})], { axis: -1 }) },
  { name: "reduceMean (drop dims)", inputs: { x: { shape: [2, 3, 4] } }, build: (g) => g.op("reduceMean", "y", ["x"], { axes: [1], keepDims: false }) },
  { name: "reduceSum (keep dims, two axes)", inputs: { x: { shape: [2, 3, 4] } }, build: (g) => g.op("reduceSum", "y", ["x"], { axes: [0, -1], keepDims: true }) },
  {
    name: "gather rows with repeated indices",
    inputs: { ids: { shape: [2, 3], dtype: "int64", data: [1, 1, 4, 4, 1, 0] } },
    params: { table: [5, 3] },
    build: (g) => g.op("gather", "y", ["table", "ids"], { axis: 0 }),
  },
  {
    name: "tied table: two gathers and a matmul share one parameter",
    inputs: { ids: { shape: [2, 2], dtype: "int64", data: [1, 1, 3, 0] }, other: { shape: [2], dtype: "int64", data: [3, 3] } },
    params: { table: [4, 3] },
    build: (g) => {
      const rows = g.op("gather", "a", ["table", "ids"], { axis: 0 }); // [2, 2, 3]
      const more = g.op("gather", "b", ["table", "other"], { axis: 0 }); // [2, 3], broadcast
      return g.op("matmul", "y", [g.op("add", "h", [rows, more], {}), g.op("transpose", "t", ["table"], { perm: [1, 0] })], {});
    },
  },
  {
    name: "gather along axis 1 with repeated indices",
    inputs: { ids: { shape: [4], dtype: "int64", data: [2, 0, 2, 2] } },
    params: { table: [2, 3, 2] },
    build: (g) => g.op("gather", "y", ["table", "ids"], { axis: 1 }),
  },
  {
    name: "gatherElements along the last axis (LM loss pick)",
    inputs: { ids: { shape: [2, 3, 1], dtype: "int64", data: [4, 0, 4, 2, 2, 1] } },
    params: { logits: [2, 3, 5] },
    build: (g) => g.op("gatherElements", "y", ["logits", "ids"], { axis: -1 }),
  },
  {
    name: "gatherElements along axis 0, repeated indices",
    inputs: { ids: { shape: [4, 2], dtype: "int64", data: [0, 2, 2, 2, 1, 0, 2, 1] } },
    params: { data: [3, 2] },
    build: (g) => g.op("gatherElements", "y", ["data", "ids"], { axis: 0 }),
  },
  {
    name: "cross-entropy: logSoftmax then gatherElements (the fused backward)",
    inputs: { ids: { shape: [2, 3, 1], dtype: "int64", data: [4, 0, 4, 2, 2, 1] } },
    params: { logits: [2, 3, 5] },
    build: (g) => g.op("gatherElements", "y", [g.op("logSoftmax", "lp", [g.op("mul", "x3", ["logits", g.scalar("s", 3)], {})], { axis: -1 }), "ids"], { axis: 2 }),
  },
  { name: "slice (negative start, huge end)", inputs: { x: { shape: [3, 6] } }, build: (g) => g.op("slice", "y", ["x"], { starts: [1, -4], ends: [3, 1e9], axes: [0, 1] }) },
  { name: "concat", inputs: { x: { shape: [2, 3] } }, params: { p: [2, 2] }, build: (g) => g.op("concat", "y", ["x", "p"], { axis: 1 }) },
  {
    name: "split with an unused piece",
    inputs: { x: { shape: [2, 6] } },
    build: (g) => {
      const [a, , c] = g.split("s", "x", 1, [2, 3, 1]);
      return g.op("mul", "y", [a, c], {});
    },
  },
  { name: "reshape + transpose", inputs: { x: { shape: [2, 6] } }, build: (g) => g.op("transpose", "y", [g.op("reshape", "r", ["x"], { shape: [0, 3, -1] })], { perm: [2, 0, 1] }) },
  {
    name: "where with a causal and padding mask",
    inputs: { scores: { shape: [2, 3, 3] }, mask: { shape: [2, 1, 3], dtype: "int64", data: [0, 1, 1, 1, 1, 1] } },
    params: { fill: [3] },
    build: (g) => {
      const keep = g.op("and", "m", [g.op("causalMask", "m", ["scores"], {}), g.op("cast", "m", ["mask"], { to: "bool" })], {});
      return g.op("where", "y", [keep, "scores", "fill"], {});
    },
  },
  { name: "expand", inputs: { x: { shape: [3, 1] } }, build: (g) => g.op("expand", "y", ["x"], { shape: [2, 3, 4] }) },
  { name: "pad", inputs: { x: { shape: [2, 3] } }, build: (g) => g.op("pad", "y", ["x"], { pads: [1, 0, 0, 2] }) },
  { name: "cast float → float", inputs: { x: { shape: [4] } }, build: (g) => g.op("cast", "y", ["x"], { to: "float32" }) },
  {
    name: "scatterElementsAdd (base and updates)",
    inputs: { ids: { shape: [2, 2], dtype: "int64", data: [1, 1, 0, 2] } },
    params: { base: [2, 3], updates: [2, 2] },
    build: (g) => g.op("scatterElementsAdd", "y", ["base", "ids", "updates"], { axis: 1 }),
  },
  {
    name: "scatterNDAdd (base; updates from integers carry no gradient)",
    inputs: { ids: { shape: [2, 1], dtype: "int64", data: [1, 1] }, updates: { shape: [2, 3], dtype: "int64", data: [1, -2, 3, 0, 5, 1] } },
    params: { base: [2, 3] },
    build: (g) => g.op("mul", "y", [g.op("scatterNDAdd", "s", ["base", "ids", g.op("cast", "u", ["updates"], { to: "float32" })], {}), "base"], {}),
  },
  {
    name: "fan-out: one value used three times",
    inputs: { x: { shape: [3] } },
    build: (g) => g.op("mul", "y", [g.op("exp", "e", ["x"], {}), g.op("add", "a", ["x", "x"], {})], {}),
  },
];

describe("autodiff: every primitive against tfjs autodiff, finite differences and ONNX Runtime", () => {
  const worst = { reference: 0, fd: 0, ort: 0 };
  beforeAll(async () => {
    await initBackend("cpu");
  });
  afterAll(() => {
    console.log(`worst max relative error over ${CASES.length} cases: vs tf.grads ${worst.reference.toExponential(2)}, vs finite differences ${worst.fd.toExponential(2)}, ORT vs tfjs ${worst.ort.toExponential(2)}`);
  });

  it.each(CASES)("$name", async (c) => {
    const { graph, values, wrt, inputShapes } = prepare(c, 3);
    const grad = gradientGraph(graph, { loss: "loss", wrt, inputShapes });
    expect(grad.outputs.map((o) => o.name)).toEqual(["loss", ...wrt.map(gradName)]);
    const got = tfjsGradients(grad, values, wrt);
    const reference = worstError(got, tfjsReferenceGradients(graph, values, "loss", wrt));
    const fd = worstError(got, finiteDifferences(graph, values, "loss", wrt, FD_STEP));
    const ort = worstError(await ortGradients(grad, values, wrt), got);
    worst.reference = Math.max(worst.reference, reference.error);
    worst.fd = Math.max(worst.fd, fd.error);
    worst.ort = Math.max(worst.ort, ort.error);
    expect(reference.error, `vs tf.grads (${reference.value})`).toBeLessThan(TFJS_TOL);
    expect(fd.error, `vs finite differences (${fd.value})`).toBeLessThan(FD_TOL);
    expect(ort.error, `ONNX Runtime vs tfjs (${ort.value})`).toBeLessThan(ORT_TOL);
  });
});

describe("gradientGraph options", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  /** y = tanh(x·w) with x [2, 3] an input and w [3, 4] a param, plus an unused param. */
  function small(): Graph {
    const g = new GraphBuilder("small");
    g.input("x", "float32", ["batch", "in"]);
    g.input("ids", "int64", ["batch"]);
    g.param("w", [3, 4], { kind: "zeros" });
    g.param("unused", [2], { kind: "zeros" });
    g.op("tanh", "y", [g.op("matmul", "y", ["x", "w"], {})], {}, "y");
    g.op("reduceSum", "loss", ["y"], { axes: [0, 1], keepDims: false }, "loss");
    g.output("y", "float32", ["batch", 4]);
    return g.build();
  }
  const values: HostValues = {
    x: { dtype: "float32", shape: [2, 3], data: seededValues(6, 1) },
    ids: { dtype: "int64", shape: [2], data: [0, 1] },
    w: { dtype: "float32", shape: [3, 4], data: seededValues(12, 2) },
    unused: { dtype: "float32", shape: [2], data: [1, 2] },
  };
  const inputShapes = { x: [2, 3], ids: [2] };

  it("seeds give the vector-Jacobian product: same as a loss Σ y·seed", async () => {
    const seed = seededValues(8, 3);
    const vjp = gradientGraph(small(), { seeds: { y: "dy" }, wrt: ["w", "x"], inputShapes });
    expect(vjp.inputs.map((i) => i.name)).toEqual(["x", "ids", "dy"]);
    expect(vjp.outputs.map((o) => o.name)).toEqual(["grad/w", "grad/x"]);
    const withSeed = { ...values, dy: { dtype: "float32" as const, shape: [2, 4], data: seed } };
    const got = tfjsGradients(vjp, withSeed, ["w", "x"]);
    // The same product as a loss: Σ y·seed, differentiated by tfjs.
    const g = GraphBuilder.extending(small());
    g.input("dy", "float32", [2, 4]);
    g.op("reduceSum", "l", [g.op("mul", "l", ["y", "dy"], {})], { axes: [0, 1], keepDims: false }, "seeded_loss");
    g.output("seeded_loss", "float32", []);
    const want = tfjsReferenceGradients(g.build(), withSeed, "seeded_loss", ["w", "x"]);
    expect(worstError(got, want).error).toBeLessThan(TFJS_TOL);
    expect(worstError(await ortGradients(vjp, withSeed, ["w", "x"]), got).error).toBeLessThan(ORT_TOL);
  });

  it("a wrt value off the loss's path gets zeros; only path nodes are emitted", () => {
    const grad = gradientGraph(small(), { loss: "loss", wrt: ["w", "unused"], inputShapes, keep: ["loss", "y"] });
    expect(grad.outputs.map((o) => [o.name, o.shape])).toEqual([["loss", []], ["y", [2, 4]], ["grad/w", [3, 4]], ["grad/unused", [2]]]);
    expect(Array.from(tfjsRun(grad, values, ["grad/unused"])["grad/unused"])).toEqual([0, 0]);
    // x is not differentiated: no transpose of w for dx is emitted.
    expect(grad.nodes.filter((n) => n.name.startsWith("bwd/") && n.op === "transpose")).toHaveLength(1);
  });

  it("rejects bad options with a message", () => {
    const graph = small();
    expect(() => gradientGraph(graph, { wrt: ["w"], inputShapes })).toThrow(/exactly one of loss or seeds/);
    expect(() => gradientGraph(graph, { loss: "y", wrt: ["w"], inputShapes })).toThrow(/loss "y" must be a float32 value with one element/);
    expect(() => gradientGraph(graph, { loss: "loss", wrt: ["ids"], inputShapes })).toThrow(/wrt "ids" is not float32/);
    expect(() => gradientGraph(graph, { loss: "loss", wrt: ["y"], inputShapes })).toThrow(/not a parameter or graph input/);
    expect(() => gradientGraph(graph, { loss: "loss", wrt: ["w"], inputShapes: { x: [2, 5], ids: [2] } })).toThrow(/node y#0 \(matmul\).*inner dims 5 and 3/);
    expect(() => gradientGraph(graph, { loss: "loss", wrt: ["w"], inputShapes: { x: [2, 3] } })).toThrow(/no shape given for input "ids"/);
  });
});
