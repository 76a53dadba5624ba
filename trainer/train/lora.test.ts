import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { loadCheckpoint, saveCheckpoint } from "../checkpoint/tfjs";
import { executeGraph } from "../graph/tfjs-exec";
import { lmLoss } from "../losses";
import { buildGpt2Graph, type Gpt2Config } from "../models/gpt2";
import { countParams, disposeParams, initParams, type Params } from "../models/params";
import { tinyLanguageModel } from "../test-fixtures";
import { createLora, DEFAULT_LORA, loadLoraState, loraState, loraTargets, type LoraAdapters, type LoraConfig } from "./lora";
import { AdamW } from "./optimizer";

// rank 4, α 16: scale 4, so a missing or doubled α/r shows.
const CONFIG: LoraConfig = { rank: 4, alpha: 16, targets: ["attention", "mlp"], seed: 3 };
const BATCH = { inputs: [[1, 2, 3, 4, 5, 6], [9, 8, 7, 6, 5, 4]], targets: [[2, 3, 4, 5, 6, 7], [8, 7, 6, 5, 4, 3]] };

const model = () => tinyLanguageModel(1); // 2 layers, 16 wide
type Model = ReturnType<typeof model>;

// Graph inputs for BATCH (unpadded rows). Built here: the training loop's helper is moving files.
function denseInputs(ids: number[][]): Record<string, tf.Tensor> {
  const [rows, seq] = [ids.length, ids[0].length];
  const positions = ids.map(() => Array.from({ length: seq }, (_, i) => i));
  return { input_ids: tf.tensor2d(ids, [rows, seq], "int32"), attention_mask: tf.ones([rows, seq], "int32"), position_ids: tf.tensor2d(positions, [rows, seq], "int32") };
}

function logitsTensor(m: Model, params: Params): tf.Tensor {
  return executeGraph(m.graph, { ...params, ...denseInputs(BATCH.inputs) }, ["logits"]).logits; // [batch, seq, vocab]
}

function logits(m: Model, params: Params): Float32Array {
  return tf.tidy(() => logitsTensor(m, params).dataSync() as Float32Array);
}

/** Logits with W + (α/r)·A·B in place of each adapted W. */
function adaptedLogits(m: Model, lora: LoraAdapters): Float32Array {
  return tf.tidy(() => logitsTensor(m, lora.effectiveParams(m.params)).dataSync() as Float32Array);
}

/** Mean next-token loss of BATCH under the adapted weights (differentiable in the adapters). */
function loss(m: Model, lora: LoraAdapters): tf.Scalar {
  return lmLoss(logitsTensor(m, lora.effectiveParams(m.params)), tf.tensor2d(BATCH.targets, undefined, "int32"));
}

/** Gradients keyed by adapter name (variableGrads keys them by tfjs variable name). */
function adapterGrads(m: Model, lora: LoraAdapters): { value: number; grads: Record<string, tf.Tensor> } {
  const { value, grads } = tf.variableGrads(() => loss(m, lora), Object.values(lora.variables));
  const byName = Object.fromEntries(Object.entries(lora.variables).map(([k, v]) => [k, grads[v.name]]));
  return { value: value.dataSync()[0], grads: byName };
}

function randomize(lora: LoraAdapters, seed: number, std = 0.3): void {
  Object.values(lora.variables).forEach((v, i) => tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, std, "float32", seed * 1000 + i))));
}

/** W + (α/r)·A·B in plain float64 loops. */
function naiveMerge(w: tf.Tensor, a: tf.Tensor, b: tf.Tensor, scale: number): number[] {
  const [n, m] = w.shape;
  const r = a.shape[1] as number;
  const [W, A, B] = [w.dataSync(), a.dataSync(), b.dataSync()];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += A[i * r + k] * B[k * m + j];
      out.push(W[i * m + j] + scale * s);
    }
  }
  return out;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));

describe("LoRA", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  it("at initialisation the adapted logits equal the base logits exactly, and nothing leaks", () => {
    const m = model();
    const lora = createLora(m.params, CONFIG);
    const before = tf.memory().numTensors;
    const adapted = adaptedLogits(m, lora);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(adapted)).toEqual(Array.from(logits(m, m.params)));
    lora.dispose();
  });

  it("the effective weight is W + (α/r)·A·B and the merged checkpoint reproduces the adapted logits", () => {
    const m = model();
    const lora = createLora(m.params, CONFIG);
    randomize(lora, 1);
    const eff = tf.tidy(() => lora.effectiveParams(m.params));
    const names = loraTargets(Object.keys(m.params), CONFIG.targets);
    for (const name of names) {
      const naive = naiveMerge(m.params[name], lora.variables[`${name}.lora_A`], lora.variables[`${name}.lora_B`], CONFIG.alpha / CONFIG.rank);
      expect(maxAbsDiff(eff[name].dataSync(), naive), name).toBeLessThan(1e-5);
    }
    const adapted = adaptedLogits(m, lora);
    const dir = mkdtempSync(join(tmpdir(), "preflab-lora-"));
    const merged = lora.merged(m.params);
    saveCheckpoint(dir, { config: m.config, params: merged, tokenizerJson: m.tokenizerJson, eosId: m.tokenizer.eosId });
    disposeParams(merged);
    expect(m.params["transformer.wte.weight"].isDisposed).toBe(false); // merged clones the unadapted weights
    const loaded = loadCheckpoint(dir);
    expect(maxAbsDiff(logits(m, loaded.params), adapted)).toBeLessThan(1e-5);
    rmSync(dir, { recursive: true });
    tf.dispose(names.map((n) => eff[n]));
    disposeParams(loaded.params);
    lora.dispose();
  });

  it("gradients reach the adapters only: B's are non-zero, A's are exactly zero while B = 0", () => {
    const m = model();
    const lora = createLora(m.params, CONFIG);
    const { grads } = adapterGrads(m, lora);
    expect(Object.keys(grads).sort()).toEqual(Object.keys(lora.variables).sort());
    for (const [name, g] of Object.entries(grads)) {
      const peak = tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]);
      if (name.endsWith(".lora_B")) expect(peak, name).toBeGreaterThan(0);
      else expect(peak, name).toBe(0); // ∂L/∂A = (α/r)·∂L/∂W'·Bᵀ
    }
    const variables = new Set<tf.Tensor>(Object.values(lora.variables));
    for (const t of Object.values(m.params)) {
      expect(t instanceof tf.Variable).toBe(false);
      expect(variables.has(t)).toBe(false);
    }
    tf.dispose(Object.values(grads));
    lora.dispose();
  });

  it("AdamW on the adapters lowers the loss and leaves the base weights bit-identical", () => {
    const m = model();
    const lora = createLora(m.params, CONFIG);
    const snapshot = Object.fromEntries(Object.entries(m.params).map(([k, t]) => [k, Array.from(t.dataSync())]));
    const opt = new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0.01, gradClip: 1 });
    const losses: number[] = [];
    for (let step = 0; step < 15; step++) {
      tf.tidy(() => {
        const { value, grads } = adapterGrads(m, lora);
        opt.step(lora.variables, grads, 1e-2);
        losses.push(value);
      });
    }
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] - 0.5);
    for (const [k, t] of Object.entries(m.params)) expect(Array.from(t.dataSync()), k).toEqual(snapshot[k]);
    opt.dispose();
    lora.dispose();
  });

  it("gradients of A and B match central finite differences", () => {
    const m = model();
    const lora = createLora(m.params, CONFIG);
    randomize(lora, 2, 0.1);
    const { grads } = adapterGrads(m, lora);
    const probes = ["transformer.h.0.attn.c_attn.weight.lora_A", "transformer.h.0.attn.c_attn.weight.lora_B",
      "transformer.h.1.mlp.c_proj.weight.lora_A", "transformer.h.1.mlp.c_proj.weight.lora_B"];
    for (const name of probes) {
      const v = lora.variables[name];
      const g = grads[name].dataSync();
      const index = Array.from(g).reduce((best, x, i) => (Math.abs(x) > Math.abs(g[best]) ? i : best), 0);
      const start = v.dataSync().slice();
      const lossAt = (delta: number) => {
        const data = start.slice();
        data[index] += delta;
        tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
        return tf.tidy(() => loss(m, lora).dataSync()[0]);
      };
      const h = 1e-2;
      const numeric = (lossAt(h) - lossAt(-h)) / (2 * h);
      tf.tidy(() => v.assign(tf.tensor(start, v.shape)));
      expect(Math.abs(g[index]), name).toBeGreaterThan(1e-3); // a probe with signal above float32 noise
      expect(Math.abs(g[index] - numeric), name).toBeLessThan(2e-4 + 0.005 * Math.abs(numeric));
    }
    tf.dispose(Object.values(grads));
    lora.dispose();
  });

  it("loraTargets picks GPT-2's attention and MLP weights, never biases or embeddings", () => {
    const names = buildGpt2Graph(tinyConfig(2, 16)).params.map((p) => p.name);
    expect(loraTargets(names, ["attention"])).toEqual([
      "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_proj.weight",
      "transformer.h.1.attn.c_attn.weight", "transformer.h.1.attn.c_proj.weight",
    ]);
    expect(loraTargets(names, ["mlp"])).toEqual([
      "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_proj.weight",
      "transformer.h.1.mlp.c_fc.weight", "transformer.h.1.mlp.c_proj.weight",
    ]);
    expect(loraTargets(names, ["attention", "mlp"])).toHaveLength(8);
  });

  it("loraTargets and createLora reject names, targets and configs that cannot work", () => {
    const llama = ["model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.0.mlp.up_proj.weight", "model.norm.weight"];
    expect(loraTargets(llama, ["attention"])).toEqual(["model.layers.0.self_attn.q_proj.weight"]);
    expect(loraTargets(llama, ["mlp"])).toEqual(["model.layers.0.mlp.up_proj.weight"]);
    const meta = ["tok_embeddings.weight", "layers.0.attention.wq.weight", "layers.0.feed_forward.w1.weight"]; // Meta's own layout
    expect(() => loraTargets(meta, ["attention", "mlp"])).toThrow(/match none of the model's 3 parameters.*\.attn\.c_attn\.weight.*\.self_attn\.q_proj\.weight/);
    expect(() => loraTargets(llama, [])).toThrow(/at least one target/);
    expect(() => loraTargets(llama, ["ffn" as "mlp"])).toThrow(/unknown LoRA target "ffn"/);
    const m = model();
    expect(() => createLora(m.params, { ...CONFIG, rank: 0 })).toThrow(/rank must be a positive integer/);
    expect(() => createLora(m.params, { ...CONFIG, alpha: Number.NaN })).toThrow(/alpha/);
  });

  it("loraState → loadLoraState restores identical effective params; a mismatched state is refused", () => {
    const m = model();
    const a = createLora(m.params, CONFIG);
    randomize(a, 4);
    const b = createLora(m.params, { ...CONFIG, seed: 99 });
    loadLoraState(b, loraState(a));
    const [ea, eb] = [a, b].map((l) => tf.tidy(() => l.effectiveParams(m.params)));
    for (const name of loraTargets(Object.keys(m.params), CONFIG.targets)) {
      expect(Array.from(eb[name].dataSync()), name).toEqual(Array.from(ea[name].dataSync()));
    }
    const wrongRank = createLora(m.params, { ...CONFIG, rank: 2 });
    expect(() => loadLoraState(wrongRank, loraState(a))).toThrow(/expected \[16,2\] \(different rank\?\)/);
    const attentionOnly = createLora(m.params, { ...CONFIG, targets: ["attention"] });
    expect(() => loadLoraState(attentionOnly, loraState(a))).toThrow(/does not.*mlp/);
    [a, b, wrongRank, attentionOnly].forEach((l) => l.dispose());
  });

  it("adapters + AdamW moments saved mid-run resume to the same next step", () => {
    const m = model();
    const run = (lora: LoraAdapters, opt: AdamW) => tf.tidy(() => { opt.step(lora.variables, adapterGrads(m, lora).grads, 1e-2); });
    const options = { beta1: 0.9, beta2: 0.95, weightDecay: 0.1, gradClip: 1 };
    const a = createLora(m.params, CONFIG);
    const optA = new AdamW(options);
    run(a, optA);
    run(a, optA);
    const saved = { lora: loraState(a), opt: optA.stateToRaw() };
    run(a, optA);
    const b = createLora(m.params, { ...CONFIG, seed: 7 });
    const optB = new AdamW(options);
    loadLoraState(b, saved.lora);
    optB.loadRaw(saved.opt);
    run(b, optB);
    expect(loraState(b)).toEqual(loraState(a));
    [optA, optB, a, b].forEach((x) => x.dispose());
  });

  it("trainable parameters at the built-in shape (4 layers, 128 wide, rank 8) follow r·Σ(in + out)", () => {
    const { n_layer: layers, n_embd: e } = builtinConfig;
    const graph = buildGpt2Graph(builtinConfig);
    const base = initParams(graph, 0);
    const lora = createLora(base, DEFAULT_LORA);
    const trainable = Object.values(lora.variables).reduce((n, v) => n + v.size, 0);
    // per block: c_attn (e + 3e) + attn.c_proj (e + e) + c_fc (e + 4e) + mlp.c_proj (4e + e) = 16e
    expect(trainable).toBe(layers * DEFAULT_LORA.rank * 16 * e);
    expect(trainable).toBe(65_536);
    expect(countParams(graph)).toBe(1_063_680); // so LoRA trains 6.2% of the built-in model
    lora.dispose();
    disposeParams(base);
  });
});

function tinyConfig(layers: number, width: number): Gpt2Config {
  return {
    model_type: "gpt2", n_layer: layers, n_head: 2, n_embd: width, n_positions: 16, vocab_size: 32,
    layer_norm_epsilon: 1e-5, activation_function: "gelu_new", initializer_range: 0.3,
  };
}

// models/builtin/config.json's shape.
const builtinConfig: Gpt2Config = { ...tinyConfig(4, 128), n_head: 4, n_positions: 64, vocab_size: 2048, initializer_range: 0.02 };
