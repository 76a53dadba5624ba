// `npm run bench -- engine`: training throughput (forward, backward, clipping, AdamW) per engine
// at four shapes: the built-in policy's, GPT-2 small (12 layers, 768 wide, batch 4 × 128 tokens),
// SmolLM2-135M's Llama shape and GPT-2 medium (24 layers, 1024 wide: ORT's memory-lean step).
// ONNX Runtime (threads = cores; its step, fused or lean, as auto picks it unless
// PREFLAB_ORT_MEMORY=fused|lean says) beside tfjs-wasm and, where a python3 imports torch,
// PyTorch (bench/torch-train.ts), with ratios.
// Each engine × shape runs in a process of its own, so its peak RSS (VmHWM) is its own and a
// model that does not fit wasm's 4 GiB heap is a row saying so, not a crash of the benchmark.
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../trainer/backend";
import { benchOrt, benchTfjsModel, type TrainBenchResult } from "../trainer/bench-train";
import { parseModelConfig } from "../trainer/checkpoint/config";
import { buildModelGraph } from "../trainer/models/model-config";
import type { StepMemoryChoice } from "../trainer/onnx-train/memory-mode";
import { builtinShape, GPT2_MEDIUM_SHAPE, GPT2_SMALL_SHAPE, LLAMA_135M_SHAPE, torchTrainRow, trainMetric, type TorchTrainShape } from "./torch-train";

type Row = Record<string, string | number>;
type Engine = "onnx" | "wasm";
const cores = availableParallelism();

/** Random weights at GPT-2's init scale (std ≈ 0.02; norms' gains 1), from a cheap LCG: throughput does not depend on them. */
function benchWeights(graph: ReturnType<typeof buildModelGraph>): Record<string, Float32Array> {
  return Object.fromEntries(graph.params.map((p, i) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (p.init.kind !== "normal") return [p.name, new Float32Array(n).fill(p.init.kind === "ones" ? 1 : 0)];
    const data = new Float32Array(n);
    let s = (i + 1) | 1;
    for (let j = 0; j < n; j++) data[j] = ((s = (Math.imul(s, 1664525) + 1013904223) | 0) / 2 ** 31) * 0.035;
    return [p.name, data];
  }));
}

/** One engine × shape, in this (child) process. */
async function measure(engine: Engine, shape: TorchTrainShape): Promise<TrainBenchResult> {
  const config = parseModelConfig(shape.config);
  const graph = buildModelGraph(config);
  const o = { batch: shape.batch, seq: shape.seq, steps: shape.steps, vocab: config.vocab_size };
  if (engine === "onnx") return benchOrt(graph, () => benchWeights(graph), { ...o, memory: process.env.PREFLAB_ORT_MEMORY as StepMemoryChoice | undefined });
  const weights = benchWeights(graph);
  const backend = await initBackend("wasm");
  const params = Object.fromEntries(graph.params.map((p) => [p.name, tf.variable(tf.tensor(weights[p.name]!, p.shape))]));
  return benchTfjsModel({ graph, params }, backend, o);
}

/** Runs `measure` in a child process (this file through the same tsx loader): its result or its error. */
function inChild(engine: Engine, shape: TorchTrainShape): TrainBenchResult | { error: string } {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, self, "--case", engine, JSON.stringify(shape)], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  const last = child.stdout.trim().split("\n").at(-1) ?? "";
  if (child.status === 0 && last.startsWith("{")) return JSON.parse(last) as TrainBenchResult;
  // The wasm glue prints its minified source before an abort: keep short lines only.
  const lines = child.stderr.split("\n").map((l) => l.trim()).filter((l) => l.length > 0 && l.length < 300 && !l.startsWith("at "));
  return { error: (lines.find((l) => /^\w*Error\b|abort|Aborted/i.test(l)) ?? lines.at(-1) ?? `exit ${child.status ?? child.signal}`).slice(0, 200) };
}

function engineRow(engine: Engine, shape: TorchTrainShape, r: TrainBenchResult | { error: string }): Row {
  const threads = "error" in r ? (engine === "onnx" ? cores : 1) : r.threads;
  const row: Row = { bench: "engine", backend: engine === "onnx" ? "onnxruntime cpu" : "tfjs wasm", model: shape.name, metric: trainMetric(shape, threads), cores };
  if ("error" in r) return { ...row, value: "failed", note: r.error };
  const note = `${(r.parameters / 1e6).toFixed(1)}M params, best of ${shape.steps} steps, mean ${r.secondsPerStep.toFixed(2)} s/step, ${r.cpuSecondsPerStep.toFixed(2)} CPU s/step; ${r.engine}${r.memoryMode ? `, ${r.memoryMode} step` : ""}`;
  return { ...row, value: Number((r.tokensPerSecond ?? 0).toFixed(1)), "peak RSS MiB": r.peakRssMiB, note };
}

/** ORT's throughput as a multiple of each other engine's, on its row. */
function addRatios(rows: Row[]): void {
  const ort = rows.find((r) => r.backend === "onnxruntime cpu");
  if (!ort || typeof ort.value !== "number") return;
  for (const other of rows) {
    if (other === ort || typeof other.value !== "number") continue;
    ort[`× ${other.backend}`] = Number((ort.value / other.value).toFixed(2));
  }
}

/** Shapes to time: every one by default; PREFLAB_ENGINE_SHAPES=builtin,gpt2-small picks some. */
function shapes(): TorchTrainShape[] {
  const all = [builtinShape(), GPT2_SMALL_SHAPE, LLAMA_135M_SHAPE, GPT2_MEDIUM_SHAPE];
  const only = process.env.PREFLAB_ENGINE_SHAPES?.split(",").map((s) => s.trim());
  return only ? all.filter((s) => only.includes(s.name)) : all;
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const shape of shapes()) {
    const group: Row[] = [];
    for (const engine of ["onnx", "wasm"] as const) group.push(engineRow(engine, shape, inChild(engine, shape)));
    group.push(await torchTrainRow(shape));
    addRatios(group);
    rows.push(...group);
  }
  return rows;
}

/** The child: one measurement, printed as one JSON line (tokens/s of the best step). */
async function child(engine: Engine, shapeJson: string): Promise<void> {
  const r = await measure(engine, JSON.parse(shapeJson) as TorchTrainShape);
  process.stdout.write(`${JSON.stringify({ ...r, tokensPerSecond: r.bestTokensPerSecond })}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "--case") await child(process.argv[3] as Engine, process.argv[4]!);
