// Whole-model gradients: GPT-2, Llama and Qwen2 (tiny configs) with the IR LM loss, every parameter's gradient from
// the gradient graph on ONNX Runtime and on tfjs against tfjs's own autodiff (tf.variableGrads
// over executeGraph of the forward graph). Errors are max |a − b| / max |b| per parameter.
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { buildGpt2Graph } from "../models/gpt2";
import { buildLlamaGraph } from "../models/llama";
import { TINY_LLAMA, TINY_QWEN2 } from "../models/llama-fixtures";
import { lowerGraph } from "../onnx/lower";
import { randomWeights, TINY_GPT2 } from "../onnx/testing";
import { gradientGraph, gradName } from "./autodiff";
import { ortGradients, tfjsGradients, tfjsRun, worstError, type HostValues } from "./gradient-testing";
import type { Graph } from "./ir";
import { withLmLoss } from "./losses/lm-loss";
import { executeGraph } from "./tfjs-exec";
import { tfDtype } from "./tfjs-ops";

// Measured here: at most 1.8e-6 (ORT), 6e-7 (tfjs gradient graph).
const TOL = 2e-5;

/** tf.variableGrads of `loss` over executeGraph, keyed by parameter name. */
function variableGrads(graph: Graph, values: HostValues): Record<string, Float32Array> {
  return tf.tidy(() => {
    const params = new Set(graph.params.map((p) => p.name));
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, v] of Object.entries(values)) {
      const t = tf.tensor(Array.from(v.data), v.shape, tfDtype(v.dtype));
      tensors[name] = params.has(name) ? tf.variable(t, true, `ref/${name}`) : t;
    }
    const { grads } = tf.variableGrads(() => executeGraph(graph, tensors, ["loss"]).loss as tf.Scalar, graph.params.map((p) => tensors[p.name] as tf.Variable));
    const out = Object.fromEntries(graph.params.map((p) => [p.name, Float32Array.from(grads[`ref/${p.name}`].dataSync())]));
    for (const p of graph.params) (tensors[p.name] as tf.Variable).dispose();
    return out;
  });
}

/** `model` + masked next-token LM loss, random weights, a left-padded batch of 2×5 tokens. */
function lmLossCase(model: Graph) {
  const graph = withLmLoss(model, { masked: true, shift: true });
  const [batch, seq] = [2, 5];
  const weights = randomWeights(graph, 2);
  const ids = [3, 7, 1, 12, 7, 0, 0, 5, 9, 5];
  const values: HostValues = {
    input_ids: { dtype: "int64", shape: [batch, seq], data: ids },
    attention_mask: { dtype: "int64", shape: [batch, seq], data: [1, 1, 1, 1, 1, 0, 0, 1, 1, 1] },
    position_ids: { dtype: "int64", shape: [batch, seq], data: [0, 1, 2, 3, 4, 0, 0, 0, 1, 2] },
    targets: { dtype: "int64", shape: [batch, seq], data: ids },
    loss_mask: { dtype: "float32", shape: [batch, seq], data: [1, 1, 1, 1, 1, 0, 0, 1, 1, 1] },
    ...Object.fromEntries(graph.params.map((p) => [p.name, { dtype: "float32" as const, shape: p.shape, data: weights[p.name] }])),
  };
  const wrt = graph.params.map((p) => p.name);
  const inputShapes = Object.fromEntries(graph.inputs.map((i) => [i.name, [batch, seq]]));
  return { graph, weights, values, wrt, inputShapes };
}

describe("autodiff on whole models", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it.each([
    { name: "GPT-2", model: () => buildGpt2Graph(TINY_GPT2) },
    { name: "Llama (GQA, untied head)", model: () => buildLlamaGraph(TINY_LLAMA) },
    { name: "Qwen2 (q/k/v biases, tied embeddings)", model: () => buildLlamaGraph(TINY_QWEN2) },
  ])("$name + next-token LM loss (padding, loss mask): every parameter's gradient, ORT and tfjs vs tf.variableGrads", async ({ name, model }) => {
    const { graph, weights, values, wrt, inputShapes } = lmLossCase(model());
    const grad = gradientGraph(graph, { loss: "loss", wrt, inputShapes, keep: ["loss", "logits"] });
    expect(grad.outputs.map((o) => o.name)).toEqual(["loss", "logits", ...wrt.map(gradName)]);

    const reference = variableGrads(graph, values);
    const tfjs = tfjsGradients(grad, values, wrt);
    const ort = await ortGradients(grad, values, wrt);
    const tfjsError = worstError(tfjs, reference);
    const ortError = worstError(ort, reference);
    expect(tfjsError.error, `tfjs gradient graph, worst ${tfjsError.value}`).toBeLessThan(TOL);
    expect(ortError.error, `ONNX Runtime, worst ${ortError.value}`).toBeLessThan(TOL);
    // Scatter-adds start from zeros made at run time (ConstantOfShape) or from the other
    // contributions (tied embeddings): the backward pass adds only scalar constants to the
    // model, never a zero-filled gradient buffer.
    const backwardConstants = grad.nodes.filter((n) => n.op === "constant" && n.name.startsWith("bwd/"));
    expect(backwardConstants.every((n) => n.op === "constant" && n.value.length === 1)).toBe(true);
    // The cross-entropy backward scatters into −softmax·Σu directly: no logits-sized zeros.
    const vocab = graph.params.find((p) => p.name.includes("embed") || p.name.includes("wte"))?.shape[0];
    expect(grad.nodes.filter((n) => n.op === "zeros" && n.shape.join() === [2, 5, vocab].join())).toHaveLength(0);
    const onnxOps = lowerGraph(grad, (n) => weights[n]).toModel().graph.node.map((n) => n.opType);
    expect(onnxOps).toContain("ScatterND");
    expect(onnxOps).toContain("ScatterElements");
    // Every parameter gets a gradient that is not all zeros (unused wpe rows are zero).
    for (const w of wrt) expect(ort[w].some((v) => v !== 0), w).toBe(true);
    // The loss kept in the gradient graph is the forward loss.
    expect(tfjsRun(grad, values, ["loss"]).loss[0]).toBeCloseTo(tfjsRun(graph, values, ["loss"]).loss[0], 5);
    console.log(`${name} max relative error: tfjs ${tfjsError.error.toExponential(2)} (${tfjsError.value}), ORT ${ortError.error.toExponential(2)} (${ortError.value})`);
  });
});

describe("the gradient graph on the wasm backend", () => {
  afterAll(async () => {
    await initBackend("cpu");
  });

  it("Llama's gradient graph (scatter-adds, expand, pad, gatherElements) gives the cpu backend's gradients", async () => {
    const { graph, values, wrt, inputShapes } = lmLossCase(buildLlamaGraph(TINY_LLAMA));
    const grad = gradientGraph(graph, { loss: "loss", wrt, inputShapes });
    await initBackend("cpu");
    const cpu = tfjsGradients(grad, values, wrt);
    await initBackend("wasm");
    expect(tf.getBackend()).toBe("wasm");
    const wasm = tfjsGradients(grad, values, wrt);
    expect(worstError(wasm, cpu).error).toBeLessThan(TOL);
  });
});
