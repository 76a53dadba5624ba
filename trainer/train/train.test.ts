import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { availableBackends, initBackend } from "../backend";
import { buildGpt2Graph, type Gpt2Config } from "../models/gpt2";
import { initParams } from "../models/params";
import { DEFAULT_TRAIN_CONFIG } from "./config";
import { batchLoss, paramGrads, trainStep, type TrainableModel } from "./lm-step";
import { AdamW } from "./optimizer";
import { learningRateAt } from "./schedule";

const config: Gpt2Config = {
  model_type: "gpt2", n_layer: 1, n_head: 2, n_embd: 8, n_positions: 8, vocab_size: 7,
  layer_norm_epsilon: 1e-5, activation_function: "gelu_new", initializer_range: 0.3,
};
const batch = { inputs: [[1, 2, 3, 4, 5], [6, 5, 4, 3, 2]], targets: [[2, 3, 4, 5, 6], [5, 4, 3, 2, 1]] };

function tinyModel(seed: number): TrainableModel {
  const graph = buildGpt2Graph(config);
  const init = initParams(graph, seed);
  return { graph, params: Object.fromEntries(Object.entries(init).map(([k, t]) => [k, tf.variable(t)])) };
}

/** Compares autodiff gradients of a few weights with central differences of the loss. */
function checkFiniteDifferences(backend: string): void {
  const model = tinyModel(7);
  const grads = paramGrads(model.params, tf.variableGrads(() => batchLoss(model, batch), Object.values(model.params)).grads);
  const probes: [string, number][] = [["transformer.wte.weight", 17], ["transformer.wpe.weight", 3], ["transformer.h.0.attn.c_attn.weight", 40],
    ["transformer.h.0.ln_1.weight", 2], ["transformer.h.0.mlp.c_fc.weight", 100], ["transformer.ln_f.bias", 5]];
  for (const [name, index] of probes) {
    const p = model.params[name];
    const base = p.dataSync().slice();
    const lossAt = (delta: number) => {
      const data = base.slice();
      data[index] += delta;
      p.assign(tf.tensor(data, p.shape));
      return tf.tidy(() => batchLoss(model, batch).dataSync()[0]);
    };
    const h = 1e-2;
    const numeric = (lossAt(h) - lossAt(-h)) / (2 * h);
    p.assign(tf.tensor(base, p.shape));
    const analytic = grads[name].dataSync()[index];
    expect(Math.abs(analytic - numeric), `${backend} ${name}`).toBeLessThan(2e-3 + 0.03 * Math.abs(numeric));
  }
}

describe("training", () => {
  it("schedule warms up linearly then decays by cosine to the floor", () => {
    const c = { learningRate: 1, minLearningRate: 0.1, warmupSteps: 10, maxSteps: 110 };
    expect(learningRateAt(0, c)).toBeCloseTo(0.1);
    expect(learningRateAt(9, c)).toBeCloseTo(1);
    expect(learningRateAt(60, c)).toBeCloseTo(0.55); // halfway: floor + half the range
    expect(learningRateAt(110, c)).toBeCloseTo(0.1);
  });

  it("AdamW's first step moves each weight by lr·(sign(g) + wd·w)", async () => {
    await initBackend("cpu");
    const w = tf.variable(tf.tensor2d([[1, -2]]));
    const b = tf.variable(tf.tensor1d([3]));
    const opt = new AdamW({ beta1: 0.9, beta2: 0.95, weightDecay: 0.5, gradClip: 0 });
    opt.step({ w, b }, { w: tf.tensor2d([[0.2, -4]]), b: tf.tensor1d([7]) }, 0.1);
    // m̂ = g, v̂ = g² after bias correction, so the Adam part is sign(g); biases skip decay.
    expect(Array.from(w.dataSync())).toEqual([1 - 0.1 * (1 + 0.5), -2 - 0.1 * (-1 - 1)].map((v) => expect.closeTo(v, 5)));
    expect(b.dataSync()[0]).toBeCloseTo(3 - 0.1, 5);
  });

  it("gradients match central finite differences on every available backend", async () => {
    for (const backend of await availableBackends()) {
      await initBackend(backend);
      checkFiniteDifferences(backend);
    }
  });

  it("a tiny model's loss goes down on every available backend, with a flat tensor count", async () => {
    for (const backend of await availableBackends()) {
      await initBackend(backend);
      const model = tinyModel(1);
      const opt = new AdamW({ ...DEFAULT_TRAIN_CONFIG, weightDecay: 0 });
      const first = trainStep(model, opt, batch, 1e-2).loss;
      trainStep(model, opt, batch, 1e-2);
      const tensorsAfterTwo = tf.memory().numTensors;
      let loss = first;
      for (let i = 0; i < 40; i++) loss = trainStep(model, opt, batch, 1e-2).loss;
      expect(tf.memory().numTensors, backend).toBe(tensorsAfterTwo);
      expect(loss, backend).toBeLessThan(first * 0.5);
    }
  });
});
