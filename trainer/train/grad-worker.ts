// A worker thread that computes loss and gradients for its shard of a batch on its own wasm
// instance (tfjs-wasm runs one thread per instance in Node, so a second instance uses the second
// core). The main thread owns the parameters and the optimizer; see data-parallel.ts.
import { parentPort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../backend";
import { buildModelGraph, type ModelConfig } from "../models/model-config";
import type { LmBatch } from "./data";
import { batchLoss, paramGrads, type TrainableModel } from "./lm-step";

export type GradRequest =
  | { type: "init"; config: ModelConfig }
  | { type: "grads"; params: Record<string, Float32Array>; batch: LmBatch };

export type GradReply = { type: "ready"; backend: string } | { type: "grads"; loss: number; grads: Record<string, Float32Array> } | { type: "error"; message: string };

let model: TrainableModel | undefined;

async function handle(req: GradRequest): Promise<{ reply: GradReply; transfer: ArrayBuffer[] }> {
  if (req.type === "init") {
    const info = await initBackend();
    const graph = buildModelGraph(req.config);
    model = { graph, params: Object.fromEntries(graph.params.map((p) => [p.name, tf.variable(tf.zeros(p.shape))])) };
    return { reply: { type: "ready", backend: info.choice }, transfer: [] };
  }
  const m = model as TrainableModel;
  for (const [name, data] of Object.entries(req.params)) m.params[name].assign(tf.tensor(data, m.params[name].shape));
  let loss = 0;
  const grads: Record<string, Float32Array> = {};
  tf.tidy(() => {
    const { value, grads: byVariable } = tf.variableGrads(() => batchLoss(m, req.batch), Object.values(m.params));
    for (const [k, g] of Object.entries(paramGrads(m.params, byVariable))) grads[k] = g.dataSync() as Float32Array;
    loss = value.dataSync()[0];
  });
  return { reply: { type: "grads", loss, grads }, transfer: Object.values(grads).map((a) => a.buffer as ArrayBuffer) };
}

parentPort?.on("message", (req: GradRequest) => {
  handle(req).then(
    ({ reply, transfer }) => parentPort?.postMessage(reply, transfer),
    (error: unknown) => parentPort?.postMessage({ type: "error", message: error instanceof Error ? error.message : String(error) }),
  );
});
