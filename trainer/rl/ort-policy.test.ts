import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng } from "../../stats/random";
import { initBackend } from "../backend";
import { writeTinyLlamaCheckpoint } from "../models/llama-fixtures";
import { randomWeights } from "../onnx/testing";
import { comparable, maxRelativeError } from "../onnx-train/testing";
import { policyAdamW } from "../policy/run-setup";
import { loadTrainablePolicy, type TrainablePolicy } from "../policy/trainable-policy";
import { saveTinyBackbone } from "../reward/executor-fixtures";
import { AdamW } from "../train/optimizer";
import { ALGORITHMS, type Scored } from "./algorithms";
import { RL_CONFIG_SCHEMAS, type RlAlgorithm, type RlConfig } from "./config";
import { OrtPolicyTrainer, TOKEN_ENTROPY, TOKEN_LOGPS, VALUE_HEAD_BIAS, VALUE_HEAD_WEIGHT, VALUES } from "./ort-policy";
import { batchOf, createValueHead, policyForward, responseValues, valueGraph, type ValueHead } from "./policy-forward";
import type { Sample } from "./rollout";
import { tfjsMinibatchStep, updateOnBatch, type MinibatchStep } from "./update";

const root = mkdtempSync(join(tmpdir(), "preflab-rl-ort-"));
const PROMPTS = 2;
const K = 3; // samples per prompt: 6 samples, minibatches of 4 then a short one of 2
const MAX_NEW = 4;
// Adam turns a gradient's rounding error into a fraction of a step (largest where an entry's
// gradient is small), so weight differences grow with lr: 5e-3 gave up to 1.03e-4 (Llama PPO's o_proj).
const LR = 2e-3;
// Adam's ε above the rounding noise of an entry whose gradient is analytically ~0 (seen: 1e-10 in a
// Llama gate_proj at a gradient norm of 10), so that such an entry moves by its noise, not by ±lr.
const adamwFor = (c: RlConfig) => ({ ...policyAdamW(c), epsilon: 1e-6 });

/** The tiny checkpoints by label, written once the backend is up. */
const dirs: Record<string, string> = {};
function writeCheckpoints(): void {
  dirs.Llama = join(root, "llama");
  writeTinyLlamaCheckpoint(dirs.Llama, "llama", 4);
  dirs["GPT-2"] = saveTinyBackbone(11);
}

function configFor(kind: RlAlgorithm): RlConfig {
  return RL_CONFIG_SCHEMAS[kind].parse({ samplesPerPrompt: K, batchSize: PROMPTS, miniBatchSize: 4, updateEpochs: 2, maxNewTokens: MAX_NEW, clipRange: 0.1, valueCoef: 0.5, entropyCoef: 0.01, beta: 0.1 });
}

/** Rollout-like samples: random responses (one without a token of its own but eos), old log-probs and values from a tfjs forward, nudged so ratios and value clipping vary. */
function samplesOf(policy: TrainablePolicy, head: ValueHead, seed: number): Sample[] {
  const rng = createRng(seed);
  const vocab = policy.setup.tokenizer.vocabSize;
  const token = () => 1 + Math.floor(rng() * (vocab - 2));
  const prompts = [[token(), token(), token()], [token()]];
  const rows = prompts.flatMap((promptIds) => Array.from({ length: K }, (_, i) => ({ promptIds, completionIds: Array.from({ length: i === 1 ? 1 : MAX_NEW - i }, token) })));
  const batch = batchOf(rows, policy.padId);
  const { logp, values } = tf.tidy(() => {
    const out = policyForward(policy, valueGraph(policy.setup.config), head, batch);
    return { logp: responseValues(out.logp.arraySync(), batch), values: responseValues(out.values.arraySync(), batch) };
  });
  const nudge = (v: number[], size: number) => v.map((x) => x + (rng() - 0.5) * size);
  return rows.map((r, i) => ({
    prompt: `p${i < K ? 0 : 1}`, promptIds: r.promptIds, responseIds: r.completionIds, text: "",
    oldLogp: nudge(logp[i]!, 0.3), refLogp: nudge(logp[i]!, 0.5), values: nudge(values[i]!, 0.6), score: rng() * 2 - 1,
  }));
}

/** Records every minibatch step's metrics, and its response tokens under "tokens". */
function recording(step: MinibatchStep, trace: Record<string, number>[]): MinibatchStep {
  return async (samples, lr) => {
    const m = await step(samples, lr);
    trace.push({ ...m, tokens: samples.reduce((n, s) => n + s.responseIds.length, 0) });
    return m;
  };
}

/**
 * The bound of a metric's difference between engines: 1e-5 (relative above 1), except val/clipfrac,
 * which counts tokens where (old + clip(V − old) − R)² > (V − R)²: for an unclipped token both sides
 * are equal up to rounding, so one token may flip either way.
 */
const metricBound = (name: string, value: number, tokens: number) => (name === "val/clipfrac" ? 1 / tokens + 1e-6 : 1e-5 * Math.max(1, Math.abs(value)));

/**
 * The policy at random weights of one scale (std 0.3, as onnx-train's parity tests): a relative
 * error over a tensor means the same for every tensor (the tiny GPT-2's wpe starts ~100× smaller).
 */
function randomize(policy: TrainablePolicy, seed: number): void {
  const weights = randomWeights(policy.setup.model.graph, seed, 0.3);
  for (const [name, v] of Object.entries(policy.trainable)) v.assign(tf.tensor(weights[name]!, v.shape));
}

const weightsOf = (vars: Record<string, tf.Variable>) => Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.dataSync() as Float32Array]));

describe("RL updates on ONNX Runtime (token log-probs, values and entropy seeded into ORT's backward)", () => {
  beforeAll(async () => {
    await initBackend("cpu");
    writeCheckpoints();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  for (const label of ["GPT-2", "Llama"]) {
    // Measured here, max |ORT − tfjs|: GPT-2 1.9e-6 (log-probs), 8.3e-7 (values), 9.5e-7 (entropy);
    // Llama 5.2e-6, 5.7e-6, 9.5e-7.
    it(`${label}: the policy graph's token log-probs, values and entropy equal policyForward's within 1e-5; filler rows output 0`, async () => {
      const policy = loadTrainablePolicy(dirs[label]!, { lora: null, seed: 1 });
      const head = createValueHead(policy.setup.config);
      head.weight.assign(tf.randomNormal(head.weight.shape, 0, 0.5, "float32", 3));
      head.bias.assign(tf.tensor1d([0.25]));
      const graph = valueGraph(policy.setup.config);
      const samples = samplesOf(policy, head, 5).slice(0, 4);
      const ort = await OrtPolicyTrainer.create({ graph, variables: { ...policy.trainable, [VALUE_HEAD_WEIGHT]: head.weight, [VALUE_HEAD_BIAS]: head.bias }, critic: true, rows: 6, seq: 3 + MAX_NEW - 1, padId: policy.padId, adamw: policyAdamW(configFor("ppo")), threads: 1 });
      try {
        const { real, batch } = ort.rows(samples);
        const got = await ort.trainer.forward(batch);
        const want: Record<string, Float32Array> = tf.tidy(() => {
          const out = policyForward(policy, graph, head, real, true);
          return { [TOKEN_LOGPS]: out.logp.dataSync() as Float32Array, [VALUES]: out.values.dataSync() as Float32Array, [TOKEN_ENTROPY]: out.entropy.dataSync() as Float32Array };
        });
        const n = want[TOKEN_LOGPS]!.length;
        for (const name of [TOKEN_LOGPS, VALUES, TOKEN_ENTROPY]) {
          const diff = Math.max(...Array.from(want[name]!, (w, i) => Math.abs(got[name]![i]! - w)));
          expect(diff, name).toBeLessThan(1e-5);
          expect(Math.max(...Array.from(want[name]!, Math.abs)), name).toBeGreaterThan(0.1);
          expect(Array.from(got[name]!.subarray(n)).every((v) => v === 0), `${name}: filler rows`).toBe(true);
        }
      } finally {
        await ort.release();
        policy.dispose();
        tf.dispose([head.weight, head.bias]);
      }
    }, 60_000);

    // Measured here: losses within 8.7e-7, weights within 4.3e-5 relative (Llama PPO; GPT-2 ≤ 1.3e-5).
    for (const kind of ["ppo", "grpo", "rloo"] as const) {
      it(`${label}, ${kind}: updateOnBatch on ORT equals tfjs (2 epochs × a minibatch of 4 and a short one of 2): per-minibatch loss and metrics < 1e-5 (val/clipfrac: one token), final weights and value head < 1e-4 relative; filler rows' seeds are 0`, async () => {
        const c = configFor(kind);
        const algorithm = ALGORITHMS[kind];
        const policy = loadTrainablePolicy(dirs[label]!, { lora: null, seed: 1 });
        randomize(policy, 9);
        const head = createValueHead(policy.setup.config);
        const graph = valueGraph(policy.setup.config);
        const variables = algorithm.critic ? { ...policy.trainable, [VALUE_HEAD_WEIGHT]: head.weight, [VALUE_HEAD_BIAS]: head.bias } : policy.trainable;
        const scored: Scored[] = algorithm.score(samplesOf(policy, head, 7), c, c.beta);
        const initial = Object.fromEntries(Object.entries(weightsOf(variables)).map(([k, v]) => [k, v.slice()]));
        const seq = Math.max(...scored.map((s) => s.promptIds.length)) + MAX_NEW - 1;
        const ort = await OrtPolicyTrainer.create({ graph, variables, critic: algorithm.critic, rows: c.miniBatchSize, seq, padId: policy.padId, adamw: adamwFor(c), threads: 1 });
        const optimizer = new AdamW(adamwFor(c));
        try {
          const ortTrace: Record<string, number>[] = [];
          const fillerSeeds: number[] = [];
          const ortStep: MinibatchStep = async (samples, lr) => {
            const r = await ort.minibatch(samples, lr, { algorithm, config: c });
            for (const seeds of Object.values(r.seeds)) fillerSeeds.push(...seeds.subarray(samples.length * seq));
            return r.metrics;
          };
          await updateOnBatch(recording(ortStep, ortTrace), c, scored, LR, 3);
          const ortFinal = Object.fromEntries(Object.entries(ort.trainer.weights()).map(([k, t]) => [k, t.data]));
          const tfjsTrace: Record<string, number>[] = [];
          await updateOnBatch(recording(tfjsMinibatchStep({ policy, graph, head, variables, optimizer, algorithm, config: c }), tfjsTrace), c, scored, LR, 3);
          const tfjsFinal = weightsOf(variables);

          expect(ortTrace.length).toBe(4);
          expect([ort.trainer.t, optimizer.t]).toEqual([4, 4]); // one AdamW step per minibatch on both engines
          expect(fillerSeeds.length).toBe(2 * 2 * seq * (algorithm.critic ? 3 : 1)); // 2 short minibatches × 2 filler rows × seq × outputs
          expect(fillerSeeds.every((s) => s === 0)).toBe(true);
          ortTrace.forEach((m, i) => {
            expect(Object.keys(m).sort()).toEqual(Object.keys(tfjsTrace[i]!).sort());
            for (const [k, v] of Object.entries(tfjsTrace[i]!)) expect(Math.abs(m[k]! - v), `minibatch ${i}: ${k}`).toBeLessThanOrEqual(metricBound(k, v, m.tokens!));
          });
          expect(maxRelativeError(tfjsFinal[Object.keys(initial)[0]!]!, initial[Object.keys(initial)[0]!]!)).toBeGreaterThan(1e-3);
          for (const name of Object.keys(variables)) expect(maxRelativeError(comparable(name, ortFinal[name]!), comparable(name, tfjsFinal[name]!)), name).toBeLessThan(1e-4);
          if (algorithm.critic) expect(Math.max(...Array.from(tfjsFinal[VALUE_HEAD_WEIGHT]!, Math.abs))).toBeGreaterThan(1e-3);
        } finally {
          optimizer.dispose();
          await ort.release();
          policy.dispose();
          tf.dispose([head.weight, head.bias]);
        }
      }, 60_000);
    }
  }
});
