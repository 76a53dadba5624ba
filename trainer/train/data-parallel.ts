// Data-parallel gradients over worker threads: each step the batch is split into shards, the
// main thread computes one shard while each helper thread computes another with the current
// parameters, and the gradients are averaged (weighted by shard size, so the result is the
// full-batch mean). This is how wasm training uses more than one core.
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import type { ModelConfig } from "../models/model-config";
import type { LmBatch } from "./data";
import type { GradReply, GradRequest } from "./grad-worker";
import { batchLoss, paramGrads, type TrainableModel } from "./lm-step";
import type { AdamW } from "./optimizer";

function request(worker: Worker, req: GradRequest): Promise<GradReply> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    worker.once("error", onError);
    worker.once("message", (reply: GradReply) => {
      worker.off("error", onError);
      if (reply.type === "error") reject(new Error(reply.message));
      else resolve(reply);
    });
    worker.postMessage(req);
  });
}

function shard(batch: LmBatch, parts: number): LmBatch[] {
  const size = Math.ceil(batch.inputs.length / parts);
  return Array.from({ length: parts }, (_, i) => ({ inputs: batch.inputs.slice(i * size, (i + 1) * size), targets: batch.targets.slice(i * size, (i + 1) * size) }))
    .filter((s) => s.inputs.length > 0);
}

export class DataParallel {
  private constructor(private readonly workers: Worker[]) {}

  /** Starts `helpers` worker threads holding a replica of a model with `config`. */
  static async start(config: ModelConfig, helpers: number): Promise<DataParallel> {
    const boot = new URL("./thread-boot.mjs", import.meta.url);
    const entry = new URL("./grad-worker.ts", import.meta.url).href;
    const workers = Array.from({ length: helpers }, () => new Worker(boot, { workerData: { entry } }));
    await Promise.all(workers.map((w) => request(w, { type: "init", config })));
    return new DataParallel(workers);
  }

  /** Full-batch mean loss and gradients (by parameter name; caller disposes the gradients). */
  async lossAndGrads(model: TrainableModel, batch: LmBatch): Promise<{ loss: number; grads: Record<string, tf.Tensor> }> {
    const [own, ...rest] = shard(batch, this.workers.length + 1);
    const params = Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, v.dataSync() as Float32Array]));
    const pending = rest.map((b, i) => request(this.workers[i], { type: "grads", params, batch: b }));
    const mine = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => batchLoss(model, own), Object.values(model.params));
      return { loss: value.dataSync()[0], grads: paramGrads(model.params, grads) };
    });
    const replies = (await Promise.all(pending)) as Extract<GradReply, { type: "grads" }>[];
    const rows = batch.inputs.length;
    const grads = tf.tidy(() => Object.fromEntries(Object.entries(mine.grads).map(([name, g]) => {
      const parts = [tf.mul(g, own.inputs.length / rows), ...replies.map((r, i) => tf.mul(tf.tensor(r.grads[name], g.shape), rest[i].inputs.length / rows))];
      return [name, tf.addN(parts)];
    })));
    tf.dispose(Object.values(mine.grads));
    const loss = (mine.loss * own.inputs.length + replies.reduce((a, r, i) => a + r.loss * rest[i].inputs.length, 0)) / rows;
    return { loss, grads };
  }

  /** One optimizer step on the averaged gradients. */
  async trainStep(model: TrainableModel, optimizer: AdamW, batch: LmBatch, lr: number): Promise<{ loss: number; gradNorm: number }> {
    const { loss, grads } = await this.lossAndGrads(model, batch);
    const gradNorm = optimizer.step(model.params, grads, lr);
    tf.dispose(Object.values(grads));
    return { loss, gradNorm };
  }

  /** Stops the helper threads. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
