// Exports a model graph to ONNX in the layout transformers.js loads for text generation:
// `<checkpoint>/onnx/model.onnx`, inputs input_ids / attention_mask / position_ids /
// past_key_values.{i}.key|value [batch, heads, past, head_dim], outputs logits /
// present.{i}.key|value, every batch/sequence/past dim dynamic (heads = the KV heads: Llama's
// num_key_value_heads). Model exports also output
// kv_new.{i}.key|value (this call's positions only), which preflab's slot cache reads and
// transformers.js, which only collects outputs named present*, ignores.
import type { Graph } from "../graph/ir";
import { buildModelGraph, modelDims, type ModelConfig } from "../models/model-config";
import { newKvName } from "./forward";
import { DataType, DEFAULT_OPSET, type OnnxGraphBuilder } from "./graph-builder";
import { lowerGraph, type WeightSource } from "./lower";
import { encodeModel } from "./proto";

export interface ExportOptions {
  /** ONNX opset; 17 is the first with LayerNormalization, 18 moves ReduceMean's axes to an input. */
  opset?: number;
  /** Add past_key_values inputs and present outputs (what generation and transformers.js want). */
  kvCache?: boolean;
}

// A protobuf message cannot exceed 2 GiB; larger models need ONNX external data (not written yet).
const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 2 ** 24;

/** Serializes any IR graph with its weights (as initializers) to ONNX model bytes; `extend` may add outputs. */
export function exportGraph(graph: Graph, weights: WeightSource, opset = DEFAULT_OPSET, extend?: (g: OnnxGraphBuilder) => void): Uint8Array {
  const weightBytes = graph.params.reduce((n, p) => n + 4 * p.shape.reduce((a, b) => a * b, 1), 0);
  if (weightBytes > PROTOBUF_LIMIT_BYTES) {
    throw new Error(`${graph.name}: ${(weightBytes / 2 ** 30).toFixed(2)} GiB of weights exceed the 2 GiB of one ONNX file; external-data export is not implemented`);
  }
  const builder = lowerGraph(graph, weights, opset);
  extend?.(builder);
  return encodeModel(builder.toModel(opset, { architecture: graph.name }));
}

/** kv_new.{i}.* = the last `seq` positions of present.{i}.*: [batch, heads, seq, headDim]. */
function addNewKvOutputs(g: OnnxGraphBuilder, config: ModelConfig): void {
  const seq = g.op("Gather", [g.op("Shape", ["input_ids"]), g.int64([1])]); // [1]
  const starts = g.op("Neg", [seq]);
  const { layers, kvHeads, headDim } = modelDims(config);
  const shape = ["batch", kvHeads, "seq", headDim];
  for (let i = 0; i < layers; i++) {
    for (const kind of ["key", "value"] as const) {
      const slice = g.op("Slice", [`present.${i}.${kind}`, starts, g.int64([2 ** 53]), g.int64([2])]);
      g.addOutput(newKvName(i, kind), slice, DataType.FLOAT, shape);
    }
  }
}

/** A model (GPT-2, Llama, Qwen2) from its HF config and HF-named weights, with the KV cache unless told otherwise. */
export function exportModel(config: ModelConfig, weights: WeightSource, options: ExportOptions = {}): Uint8Array {
  const kvCache = options.kvCache ?? true;
  const graph = buildModelGraph(config, { kvCache });
  return exportGraph(graph, weights, options.opset ?? DEFAULT_OPSET, kvCache ? (g) => addNewKvOutputs(g, config) : undefined);
}
