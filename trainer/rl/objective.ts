// Online RL as an objective of the one training loop: a step is one iteration (sample the step's
// prompts k times with the current weights, score, compute advantages, update for a few epochs);
// evaluation samples the validation prompts once and reports score and KL; saving writes the
// policy (LoRA merged) and, for resuming, the value head and the KL controller's β.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { readSafetensors, writeSafetensors } from "../checkpoint/safetensors";
import { batchIndices } from "../train/batch-order";
import type { Objective, StepResult } from "../train/loop";
import type { AdamW } from "../train/optimizer";
import type { Algorithm, Scored } from "./algorithms";
import type { RlConfig } from "./config";
import type { KlController } from "./kl";
import { rollout, type RolloutContext } from "./rollout";
import { tfjsMinibatchStep, updateOnBatch, type MinibatchStep, type Updater } from "./update";

export interface RlPrompt {
  text: string;
  ids: number[];
}

const mean = (v: readonly number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : 0);
const sum = (v: readonly number[]) => v.reduce((s, x) => s + x, 0);

/** TRL's rollout metrics: objective/kl, objective/entropy, objective/scores, objective/rlhf_reward, β, response length. */
export function rolloutMetrics(scored: readonly Scored[], beta: number, prefix = ""): Record<string, number> {
  const kl = scored.map((s) => sum(s.kl));
  const scores = scored.map((s) => s.score);
  return {
    [`${prefix}objective/kl`]: mean(kl),
    [`${prefix}objective/entropy`]: mean(scored.map((s) => -sum(s.oldLogp))),
    [`${prefix}objective/scores`]: mean(scores),
    [`${prefix}objective/rlhf_reward`]: mean(scores.map((s, i) => s - beta * kl[i]!)),
    [`${prefix}response_length`]: mean(scored.map((s) => s.responseIds.length)),
    ...(prefix ? {} : { beta }),
  };
}

const STATE_FILE = "rl_state.json";
const HEAD_FILE = "value_head.safetensors";

export interface RlRun {
  rollout: RolloutContext;
  updater: Omit<Updater, "optimizer">;
  algorithm: Algorithm;
  controller: KlController;
  train: RlPrompt[];
  validation: RlPrompt[];
  config: RlConfig;
}

/** Samples `prompts` once each with the current weights and reports their scores and KL. */
export async function evaluatePrompts(run: RlRun, prompts: readonly RlPrompt[], seed: number, prefix: string): Promise<Record<string, number>> {
  if (prompts.length === 0) return {};
  const once: RolloutContext = { ...run.rollout, config: { ...run.config, samplesPerPrompt: 1 } };
  const samples = await rollout(once, prompts, seed);
  const scored = samples.map((s) => ({ ...s, kl: s.oldLogp.map((lp, t) => lp - s.refLogp[t]!), advantages: [], returns: [], sequenceAdvantage: 0 }));
  return rolloutMetrics(scored, run.controller.value, prefix);
}

/** The prompts of one iteration, and its index (the rollout's seed). */
export interface RlIteration {
  step: number;
  prompts: RlPrompt[];
}

/** One iteration on either engine: rollout with the current weights, scores, `updateOnBatch` through `minibatch`. */
export async function iterate(run: RlRun, it: RlIteration, lr: number, minibatch: MinibatchStep): Promise<StepResult> {
  const c = run.config;
  const times: Record<string, number> = {};
  const samples = await rollout(run.rollout, it.prompts, c.seed * 7919 + it.step, times);
  const scored = run.algorithm.score(samples, c, run.controller.value);
  const stats = rolloutMetrics(scored, run.controller.value);
  const started = performance.now();
  const update = await updateOnBatch(minibatch, c, scored, lr, c.seed + it.step);
  times["time/update"] = (performance.now() - started) / 1000;
  run.controller.update(stats["objective/kl"]!, scored.length);
  const { loss, grad_norm: gradNorm, ...updateMetrics } = update; // the loop logs these two itself
  return { loss: loss ?? Number.NaN, gradNorm: gradNorm ?? 0, metrics: { ...stats, ...updateMetrics, ...times } };
}

/** The run on TensorFlow.js (./ort-policy.ts's withOrtPolicy moves its updates to ONNX Runtime). */
export function rlObjective(run: RlRun): Objective<RlIteration> {
  const c = run.config;
  return {
    trainable: run.updater.variables,
    batch: (step) => ({ step, prompts: batchIndices(step, c.batchSize, run.train.length, c.seed).map((i) => run.train[i]!) }),
    step: (it, lr, optimizer: AdamW) => iterate(run, it, lr, tfjsMinibatchStep({ ...run.updater, optimizer })),
    evaluate: () => evaluatePrompts(run, run.validation, c.seed + 1, "eval_"),
    save: (dir) => run.rollout.policy.save(dir),
    saveState: (dir) => {
      run.rollout.policy.saveState(dir);
      const { weight, bias } = run.rollout.head;
      writeFileSync(path.join(dir, HEAD_FILE), writeSafetensors({ weight: { shape: weight.shape, data: weight.dataSync() as Float32Array }, bias: { shape: bias.shape, data: bias.dataSync() as Float32Array } }));
      writeFileSync(path.join(dir, STATE_FILE), `${JSON.stringify({ beta: run.controller.value })}\n`);
    },
  };
}

/** Restores the value head and β a checkpoint saved (resuming). */
export function restoreRlState(run: RlRun, dir: string): void {
  if (!existsSync(path.join(dir, STATE_FILE))) return;
  run.controller.value = (JSON.parse(readFileSync(path.join(dir, STATE_FILE), "utf8")) as { beta: number }).beta;
  const head = readSafetensors(readFileSync(path.join(dir, HEAD_FILE))).tensors;
  run.rollout.head.weight.assign(tf.tensor(head.weight!.data, head.weight!.shape));
  run.rollout.head.bias.assign(tf.tensor(head.bias!.data, head.bias!.shape));
}
