// ONNX Runtime (CPU) sessions: one place that picks thread counts and optimization level, and
// converts between JS arrays and ORT tensors (int64 ids travel as BigInt64Array).
import { availableParallelism } from "node:os";
import * as ort from "onnxruntime-node";
import type { OnnxExport } from "./external-data";

export interface SessionConfig {
  /** Threads inside one operator (matmuls); default: every core, which is what sampling wants. */
  intraOpNumThreads?: number;
  /**
   * Let idle pool threads busy-wait for the next op (ORT's default). Off by default here: preflab
   * shares its cores with the web server and the training worker, which spinning threads starve.
   */
  spinning?: boolean;
  /** Write the graph as ORT optimized it here (to check fusions, or to inspect it in Netron). */
  optimizedModelPath?: string;
  /** Execution providers in order of preference (default CPU only; "cuda" needs ORT's CUDA libraries). */
  executionProviders?: ("cuda" | "cpu")[];
  /**
   * ORT's memory pattern (default on): after the first run every intermediate gets its place in
   * one block planned for the whole graph. Off, each is allocated from the arena as it comes and
   * freed after its last use (see trainer/onnx-train/lean-step-session.ts for what that saves).
   */
  memoryPattern?: boolean;
}

export type OrtTensor = ort.Tensor;

export class OnnxSession {
  private constructor(private readonly session: ort.InferenceSession) {}

  /**
   * `model`: ONNX bytes, a path to a model file (its external data, if any, beside it), or an
   * export built in memory, whose external tensors ORT copies from their buffers.
   */
  static async create(model: Uint8Array | string | OnnxExport, config: SessionConfig = {}): Promise<OnnxSession> {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: config.executionProviders ?? ["cpu"],
      intraOpNumThreads: config.intraOpNumThreads ?? availableParallelism(),
      // One op at a time: the graphs are chains of matmuls, each already spread over the threads.
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      enableMemPattern: config.memoryPattern ?? true,
      extra: { session: { intra_op: { allow_spinning: config.spinning ? "1" : "0" } } },
      // ORT rejects an explicit undefined here, so the key is only present when set.
      ...(config.optimizedModelPath ? { optimizedModelFilePath: config.optimizedModelPath } : {}),
    };
    const session = typeof model === "string"
      ? await ort.InferenceSession.create(model, options)
      : model instanceof Uint8Array
        ? await ort.InferenceSession.create(model, options)
        : await ort.InferenceSession.create(model.model, { ...options, externalData: inMemoryData(model) });
    return new OnnxSession(session);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /**
   * Runs the graph; `fetches` names the outputs wanted (default all: each one is copied out), or
   * maps them to pre-allocated tensors ORT writes in place (null: allocated and copied out).
   */
  async run(feeds: Record<string, ort.Tensor>, fetches?: readonly string[] | Record<string, ort.Tensor | null>): Promise<Record<string, ort.Tensor>> {
    return (await (fetches ? this.session.run(feeds, fetches) : this.session.run(feeds))) as Record<string, ort.Tensor>;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

// Each external tensor of an in-memory export is its own named buffer (externalData: "memory").
function inMemoryData(model: OnnxExport): ort.InferenceSession.SessionOptions["externalData"] {
  const locations = new Set(model.external.map((t) => t.location));
  if (locations.size !== model.external.length) throw new Error("an export opened from memory needs its external data exported as \"memory\" (one buffer per tensor)");
  return model.external.map((t) => ({ path: t.location, data: t.bytes }));
}

export function float32Tensor(data: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor("float32", data, dims);
}

export function int64Tensor(data: ArrayLike<number>, dims: number[]): ort.Tensor {
  return new ort.Tensor("int64", BigInt64Array.from(Array.from(data, (v) => BigInt(v))), dims);
}

/** Reads a float32 output as a Float32Array (ORT already hands one back; this checks the type). */
export function floatData(tensor: ort.Tensor): Float32Array {
  if (tensor.type !== "float32") throw new Error(`expected a float32 tensor, got ${tensor.type}`);
  return tensor.data as Float32Array;
}
