// Exports a model graph to ONNX in the layout transformers.js loads for text generation:
// `<checkpoint>/onnx/model.onnx`, inputs input_ids / attention_mask / position_ids /
// past_key_values.{i}.key|value [batch, heads, past, head_dim], outputs logits /
// present.{i}.key|value, every batch/sequence/past dim dynamic (heads = the KV heads: Llama's
// num_key_value_heads). Model exports also output
// kv_new.{i}.key|value (this call's positions only), which preflab's slot cache reads and
// transformers.js, which only collects outputs named present*, ignores. Weights past what one
// protobuf holds go to ONNX external data (external-data.ts).
import { basename } from "node:path";
import type { Graph } from "../graph/ir";
import { buildModelGraph, modelDims, type ModelConfig } from "../models/model-config";
import { externalDataPath, externalize, type ExternalDataTarget, type OnnxExport } from "./external-data";
import { newKvName } from "./forward";
import { DataType, DEFAULT_OPSET, type OnnxGraphBuilder } from "./graph-builder";
import { lowerGraph, type WeightSource } from "./lower";
import { encodeModel } from "./proto";

export interface ExportOptions {
  /** ONNX opset; 17 is the first with LayerNormalization, 18 moves ReduceMean's axes to an input. */
  opset?: number;
  /** Add past_key_values inputs and present outputs (what generation and transformers.js want). */
  kvCache?: boolean;
  /**
   * Weights (total bytes) above which they go to external data instead of the protobuf; default:
   * the most one protobuf holds. 0 moves them whatever the size (what tests of tiny models do).
   */
  externalDataAbove?: number;
  /** Where external data goes; default the file `model.onnx_data`, beside `onnx/model.onnx`. */
  externalData?: ExternalDataTarget;
}

/** The file an export's external data goes to by default: `${model file}_data`, as transformers.js finds it. */
export const ONNX_DATA_FILE = basename(externalDataPath("model.onnx"));

// A protobuf message cannot exceed 2 GiB (with room left for the graph itself).
const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 2 ** 24;

const weightBytesOf = (graph: Graph) => graph.params.reduce((n, p) => n + 4 * p.shape.reduce((a, b) => a * b, 1), 0);

/** Whether a model's default export keeps its weights in `model.onnx_data` (more than one protobuf holds). */
export const exportHasExternalData = (config: ModelConfig) => weightBytesOf(buildModelGraph(config)) > PROTOBUF_LIMIT_BYTES;

/** Serializes any IR graph with its weights (as initializers) to ONNX model bytes; `extend` may add outputs. */
export function exportGraph(graph: Graph, weights: WeightSource, opset = DEFAULT_OPSET, extend?: (g: OnnxGraphBuilder) => void): Uint8Array {
  const weightBytes = weightBytesOf(graph);
  if (weightBytes > PROTOBUF_LIMIT_BYTES) {
    throw new Error(`${graph.name}: ${(weightBytes / 2 ** 30).toFixed(2)} GiB of weights exceed the 2 GiB of one ONNX file; export it with external data (exportGraphWithData)`);
  }
  return exportGraphWithData(graph, weights, { opset, extend }).model;
}

/**
 * The same export, its weights moved to external data when they pass `externalDataAbove` (then
 * `external` holds their bytes: views of the arrays `weights` returned, never copies).
 */
export function exportGraphWithData(graph: Graph, weights: WeightSource, options: Omit<ExportOptions, "kvCache"> & { extend?: (g: OnnxGraphBuilder) => void } = {}): OnnxExport {
  const opset = options.opset ?? DEFAULT_OPSET;
  const builder = lowerGraph(graph, weights, opset);
  options.extend?.(builder);
  const model = builder.toModel(opset, { architecture: graph.name });
  const params = new Set(graph.params.map((p) => p.name));
  const external = weightBytesOf(graph) > (options.externalDataAbove ?? PROTOBUF_LIMIT_BYTES)
    ? externalize(model.graph.initializer.filter((t) => params.has(t.name)), options.externalData ?? { file: ONNX_DATA_FILE })
    : [];
  return { model: encodeModel(model), external };
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

/** A model's graph with the KV cache unless told otherwise, and the kv_new outputs that go with the cache. */
function modelGraph(config: ModelConfig, options: ExportOptions): { graph: Graph; extend?: (g: OnnxGraphBuilder) => void } {
  const kvCache = options.kvCache ?? true;
  return { graph: buildModelGraph(config, { kvCache }), extend: kvCache ? (g) => addNewKvOutputs(g, config) : undefined };
}

/** A model (GPT-2, Llama, Qwen2) from its HF config and HF-named weights, with the KV cache unless told otherwise. */
export function exportModel(config: ModelConfig, weights: WeightSource, options: ExportOptions = {}): Uint8Array {
  const { graph, extend } = modelGraph(config, options);
  return exportGraph(graph, weights, options.opset ?? DEFAULT_OPSET, extend);
}

/** exportModel for any size: weights past `externalDataAbove` go to external data. */
export function exportModelWithData(config: ModelConfig, weights: WeightSource, options: ExportOptions = {}): OnnxExport {
  const { graph, extend } = modelGraph(config, options);
  return exportGraphWithData(graph, weights, { ...options, extend });
}
