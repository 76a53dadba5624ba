import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { buildGpt2Graph, type Gpt2Config } from "../models/gpt2";
import { initParams } from "../models/params";
import { DataParallel } from "./data-parallel";
import { batchLoss, paramGrads, type TrainableModel } from "./lm-step";

const config: Gpt2Config = {
  model_type: "gpt2", n_layer: 1, n_head: 2, n_embd: 8, n_positions: 8, vocab_size: 13,
  layer_norm_epsilon: 1e-5, activation_function: "gelu_new", initializer_range: 0.3,
};
const batch = {
  inputs: [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [2, 4, 6, 8], [1, 3, 5, 7]],
  targets: [[2, 3, 4, 5], [6, 7, 8, 9], [10, 11, 12, 0], [4, 6, 8, 10], [3, 5, 7, 9]],
};

describe("data-parallel gradients over worker threads", () => {
  let dp: DataParallel;
  beforeAll(async () => {
    await initBackend("wasm");
    dp = await DataParallel.start(config, 1);
  });
  afterAll(async () => dp?.close());

  it("equal the full-batch gradients (uneven shards weighted by size)", async () => {
    const graph = buildGpt2Graph(config);
    const init = initParams(graph, 11);
    const model: TrainableModel = { graph, params: Object.fromEntries(Object.entries(init).map(([k, t]) => [k, tf.variable(t)])) };
    const serial = tf.variableGrads(() => batchLoss(model, batch), Object.values(model.params));
    const want = paramGrads(model.params, serial.grads);
    const got = await dp.lossAndGrads(model, batch);
    expect(got.loss).toBeCloseTo(serial.value.dataSync()[0], 5);
    for (const name of Object.keys(want)) {
      const a = got.grads[name].dataSync();
      const b = want[name].dataSync();
      for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    }
  });
});
