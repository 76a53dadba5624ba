// "Can my machine train this model, and how fast?": real training steps (forward, backward,
// AdamW) of a checkpoint at a given batch and sequence length on one engine, timed after a
// warm-up, with peak memory. `auto` picks the fastest engine available (trainer/onnx-train/
// engine.ts): ONNX Runtime on CPU here, unless CUDA or tfjs-node-gpu is installed.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Graph } from "./graph/ir";
import { describeBackend, type BackendInfo } from "./backend";
import { parseModelConfig } from "./checkpoint/config";
import { CheckpointError } from "./checkpoint/errors";
import { readCheckpoint } from "./checkpoint/read";
import { buildModelGraph, contextLength, type ModelConfig } from "./models/model-config";
import { describeOrtEngine, resolveEngine, TRAINING_ENGINES, type TrainingEngine } from "./onnx-train/engine";
import type { StepMemoryChoice, StepMemoryMode } from "./onnx-train/memory-mode";
import { lmStepFor, OrtTrainer } from "./onnx-train/ort-trainer";
import type { StepGraph } from "./onnx-train/step-graph";
import { peakRssMiB } from "./peak-rss";
import type { LmBatch } from "./train/data";
import { trainStep, type TrainableModel } from "./train/lm-step";
import { AdamW, type AdamWOptions } from "./train/optimizer";
import { checkpointSetup, disposeSetup } from "./train/setup";

export const BENCH_ENGINES = TRAINING_ENGINES;
export type BenchEngine = TrainingEngine;
export { STEP_MEMORY_CHOICES as BENCH_MEMORY_MODES } from "./onnx-train/memory-mode";

export interface TrainBenchResult {
  tokensPerSecond: number;
  engine: string;
  threads: number;
  peakRssMiB: number;
  /** Mean over the timed steps (what tokensPerSecond divides by). */
  secondsPerStep: number;
  /** Tokens/s of the fastest timed step (other load on the machine only ever adds time). */
  bestTokensPerSecond: number;
  /** CPU seconds (user + system, every thread of this process) per timed step: steadier than wall time on a shared machine. */
  cpuSecondsPerStep: number;
  parameters: number;
  /** ONNX Runtime's step: "fused" (AdamW in the step graph) or "lean" (one state set, AdamW in chunks). */
  memoryMode?: StepMemoryMode;
}

export interface TrainBenchOptions {
  batch: number;
  seq: number;
  steps: number;
  engine: BenchEngine;
  /** ONNX Runtime's step (default auto: by model size vs the machine's memory). */
  memory?: StepMemoryChoice;
}

const ADAMW: AdamWOptions = { beta1: 0.9, beta2: 0.95, weightDecay: 0.1, gradClip: 1 };
const LR = 1e-4;

/** A fixed batch spread over the vocabulary (throughput does not depend on the tokens). */
export function benchBatch(batch: number, seq: number, vocab: number): LmBatch {
  const rows = Array.from({ length: batch }, (_, b) => Array.from({ length: seq + 1 }, (_, t) => (b * 7919 + t * 104729) % vocab));
  return { inputs: rows.map((r) => r.slice(0, seq)), targets: rows.map((r) => r.slice(1)) };
}

/** Times `steps` calls after one warm-up (kernels chosen, memory allocated): mean and fastest seconds per step. */
async function timeSteps(steps: number, step: () => unknown): Promise<{ mean: number; best: number; cpu: number }> {
  await step();
  const cpu0 = process.cpuUsage();
  let total = 0;
  let best = Infinity;
  for (let i = 0; i < steps; i++) {
    const started = performance.now();
    await step();
    const secs = (performance.now() - started) / 1000;
    total += secs;
    best = Math.min(best, secs);
  }
  const cpu = process.cpuUsage(cpu0);
  return { mean: total / steps, best, cpu: (cpu.user + cpu.system) / 1e6 / steps };
}

/** The result fields every engine reports. */
function result(engine: string, threads: number, tokens: number, time: { mean: number; best: number; cpu: number }, parameters: number): TrainBenchResult {
  return { tokensPerSecond: tokens / time.mean, engine, threads, peakRssMiB: Math.round(peakRssMiB()), secondsPerStep: time.mean, bestTokensPerSecond: tokens / time.best, cpuSecondsPerStep: time.cpu, parameters };
}

/**
 * Training throughput of a model graph on ONNX Runtime (also the engine benchmark's ORT row).
 * `initialWeights` makes the weights when the trainer copies them in, so no one holds them after
 * and the peak memory is the trainer's own.
 */
export async function benchOrt(graph: Graph, initialWeights: () => Record<string, Float32Array>, o: { batch: number; seq: number; steps: number; vocab: number; provider?: "cuda" | "cpu"; stepGraph?: StepGraph; memory?: StepMemoryChoice }): Promise<TrainBenchResult> {
  const trainer = await OrtTrainer.create({ graph, weights: initialWeights(), adamw: ADAMW, batch: o.batch, seq: o.seq, stepGraph: o.stepGraph, memory: o.memory, executionProviders: o.provider === "cuda" ? ["cuda", "cpu"] : ["cpu"] });
  try {
    const batch = benchBatch(o.batch, o.seq, o.vocab);
    const time = await timeSteps(o.steps, () => trainer.step(batch, LR));
    const parameters = graph.params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
    return { ...result(describeOrtEngine(o.provider ?? "cpu", trainer.threads), trainer.threads, o.batch * o.seq, time, parameters), memoryMode: trainer.memoryMode };
  } finally {
    await trainer.release();
  }
}

/** Training throughput of a model graph + weights on the current TensorFlow.js backend. */
export async function benchTfjsModel(model: TrainableModel, backend: BackendInfo, o: { batch: number; seq: number; steps: number; vocab: number }): Promise<TrainBenchResult> {
  const batch = benchBatch(o.batch, o.seq, o.vocab);
  const optimizer = new AdamW(ADAMW);
  try {
    const time = await timeSteps(o.steps, () => trainStep(model, optimizer, batch, LR));
    const parameters = Object.values(model.params).reduce((s, p) => s + p.size, 0);
    return result(describeBackend(backend), 1, o.batch * o.seq, time, parameters);
  } finally {
    optimizer.dispose();
  }
}

async function benchTfjs(dir: string, backend: BackendInfo, o: TrainBenchOptions): Promise<TrainBenchResult> {
  const setup = checkpointSetup(dir);
  try {
    const seq = Math.min(o.seq, contextLength(setup.config) - 1);
    return await benchTfjsModel(setup.model, backend, { ...o, seq, vocab: setup.config.vocab_size });
  } finally {
    disposeSetup(setup);
  }
}

/** The ORT step graph of a config at a shape, or why it cannot be built. */
function tryStepGraph(config: ModelConfig, batch: number, seq: number): { graph: Graph; step?: StepGraph; reason?: string } {
  const graph = buildModelGraph(config);
  try {
    return { graph, step: lmStepFor({ graph, batch, seq, adamw: ADAMW }) };
  } catch (error) {
    return { graph, reason: (error as Error).message };
  }
}

/** config.json alone (the engine is chosen before any weights are read). */
function readConfig(dir: string): ModelConfig {
  const path = join(dir, "config.json");
  if (!existsSync(path)) throw new CheckpointError(path, "is missing");
  return parseModelConfig(JSON.parse(readFileSync(path, "utf8")), path);
}

export async function benchTrain(dir: string, o: TrainBenchOptions): Promise<TrainBenchResult> {
  const config = readConfig(dir);
  const seq = Math.min(o.seq, contextLength(config) - 1);
  let built: ReturnType<typeof tryStepGraph> | undefined;
  const ortStep = () => (built ??= tryStepGraph(config, o.batch, seq));
  const engine = await resolveEngine(o.engine, () => ortStep().reason ?? true);
  if (engine.kind === "tfjs") return benchTfjs(dir, engine.backend, o);
  const { graph, step } = ortStep();
  const weights = () => Object.fromEntries(Object.entries(readCheckpoint(dir).weights).map(([name, t]) => [name, t.data]));
  return benchOrt(graph, weights, { batch: o.batch, seq, steps: o.steps, vocab: config.vocab_size, provider: engine.provider, stepGraph: step, memory: o.memory });
}
