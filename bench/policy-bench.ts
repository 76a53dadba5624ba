// Policy-training throughput on this machine: one DPO (sigmoid) and one SFT step of the one loop
// (defaultStep on pairObjective / sftObjective with AdamW, as a `dpo` / `sft` run takes them) at
// the built-in model's shapes and at GPT-2 small's (random weights, LoRA r=8); the ONNX Runtime
// reference log-prob pass DPO runs before training, against the tfjs forward of the same batch;
// and, where PyTorch is installed (Debian's python3-torch), the same steps in bench/policy-bench.py
// as a ratio ("vs PyTorch": PyTorch's ms/step over ours, >1 when tfjs is faster). Each case runs
// in its own process, so its peak RSS is its own and a case that exhausts wasm's 4 GiB heap
// becomes a "failed" row instead of taking the other cases down. On a shared machine the CPU ms
// per step in the note is the steadier number (tfjs-wasm trains on one thread).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { describeBackend, initBackend } from "../trainer/backend";
import { peakRssMiB } from "../trainer/peak-rss";
import { writeCheckpoint } from "../trainer/checkpoint/write";
import { pairObjective } from "../trainer/dpo/objective";
import { dpoConfigSchema } from "../trainer/dpo/config";
import type { PairExample } from "../trainer/dpo/examples";
import { referenceLogprobs } from "../trainer/dpo/reference";
import { buildGpt2Graph, type Gpt2Config } from "../trainer/models/gpt2";
import { openOnnxCheckpoint } from "../trainer/onnx/checkpoint";
import { completionLogprobs } from "../trainer/onnx/logprobs";
import { sequenceLogps, type TokenizedCompletion } from "../trainer/policy/sequences";
import { loadTrainablePolicy } from "../trainer/policy/trainable-policy";
import { sftObjective } from "../trainer/sft/objective";
import { defaultStep, type Objective } from "../trainer/train/loop";
import { AdamW } from "../trainer/train/optimizer";
import { bestOf } from "./timing";
import { findTorchPython } from "../trainer/models/reference/torch-python";

type Row = Record<string, string | number>;

const BUILTIN_DIR = "models/builtin";
const GPT2_SMALL: Gpt2Config = {
  model_type: "gpt2", n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257,
  layer_norm_epsilon: 1e-5, activation_function: "gelu_new",
};
const LORA = { rank: 8, alpha: 16, targets: ["attention", "mlp"] as ("attention" | "mlp")[] };
/** Completions in the reference comparison: 32 pairs' worth, in the reference's batches of 8. */
const REFERENCE_ITEMS = 64;

/** One timed training workload; `batch` counts pairs (DPO) or sequences (SFT). */
interface TrainCase {
  name: string;
  model: "builtin" | "gpt2-small";
  objective: "dpo" | "sft";
  lora: boolean;
  batch: number;
  prompt: number;
  completion: number;
  /** Timed steps, after one untimed warm-up step. */
  steps: number;
}

const CASES: TrainCase[] = [
  { name: "DPO sigmoid, full", model: "builtin", objective: "dpo", lora: false, batch: 8, prompt: 16, completion: 32, steps: 5 },
  { name: "DPO sigmoid, LoRA r=8", model: "builtin", objective: "dpo", lora: true, batch: 8, prompt: 16, completion: 32, steps: 5 },
  { name: "SFT, full", model: "builtin", objective: "sft", lora: false, batch: 8, prompt: 16, completion: 32, steps: 5 },
  { name: "DPO sigmoid, LoRA r=8", model: "gpt2-small", objective: "dpo", lora: true, batch: 2, prompt: 64, completion: 64, steps: 3 },
  { name: "SFT, LoRA r=8", model: "gpt2-small", objective: "sft", lora: true, batch: 4, prompt: 64, completion: 64, steps: 3 },
];

interface CaseResult {
  backend: string;
  msPerStep: number;
  minMs: number;
  /** CPU ms per step (training cases). */
  cpuMs?: number;
  trainable: number;
  peakRssMb: number;
  /** Reference comparison only: completions/s by engine. */
  rates?: Record<string, number>;
}

/** Deterministic token ids (speed does not depend on them); prompt and completion as in a run. */
function rows(n: number, prompt: number, completion: number, vocab: number, salt: number): TokenizedCompletion[] {
  const id = (r: number, t: number) => (r * 7919 + t * 104729 + salt * 31) % vocab;
  return Array.from({ length: n }, (_, r) => ({
    promptIds: Array.from({ length: prompt }, (_, t) => id(r, t)),
    completionIds: Array.from({ length: completion }, (_, t) => id(r, prompt + t)),
  }));
}

function pairs(c: TrainCase, vocab: number): PairExample[] {
  const chosen = rows(c.batch, c.prompt, c.completion, vocab, 1);
  const rejected = rows(c.batch, c.prompt, c.completion, vocab, 2).map((r, i) => ({ ...r, promptIds: chosen[i]!.promptIds }));
  return chosen.map((r, i) => ({ prompt: `p${i}`, chosen: r, rejected: rejected[i]!, weight: 1, refChosen: -100, refRejected: -100 }));
}

/** On stderr, so a case that dies says how far it got ("warm-up step, begun at 1100 MB RSS"). */
const phase = (what: string) => process.stderr.write(`phase: ${what}, begun at ${Math.round(peakRssMiB())} MB RSS\n`);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** Warm-up step, then `steps` timed ones: wall and CPU ms of each (CPU time is what others' load cannot inflate on one thread). */
function timeSteps<B>(objective: Objective<B>, steps: number): { wall: number[]; cpu: number[] } {
  const optimizer = new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0, gradClip: 1 });
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let step = 0; step <= steps; step++) {
    const name = step === 0 ? "warm-up step" : `timed step ${step}`;
    phase(`forward of the ${name}`);
    const marked: Objective<B> = { ...objective, loss: (batch) => {
      const out = objective.loss!.call(objective, batch);
      phase(`backward of the ${name}`);
      return out;
    } };
    const [t, c] = [performance.now(), process.cpuUsage()];
    const { loss } = defaultStep(marked, objective.batch(step), 1e-5, optimizer);
    const used = process.cpuUsage(c);
    if (step > 0) wall.push(performance.now() - t);
    if (step > 0) cpu.push((used.user + used.system) / 1000);
    if (!Number.isFinite(loss)) throw new Error(`loss ${loss} at step ${step}`);
  }
  optimizer.dispose();
  return { wall, cpu };
}

async function trainCase(c: TrainCase, dir: string): Promise<CaseResult> {
  const backend = describeBackend(await initBackend());
  phase("loading the policy");
  const policy = loadTrainablePolicy(dir, { lora: c.lora ? LORA : null, seed: 1 });
  const vocab = policy.setup.config.vocab_size;
  let times: ReturnType<typeof timeSteps>;
  try {
    times = c.objective === "dpo"
      ? timeSteps(pairObjective(policy, { train: pairs(c, vocab), validation: [] }, dpoConfigSchema.parse({ batchSize: c.batch })), c.steps)
      : timeSteps(sftObjective(policy, { train: rows(c.batch, c.prompt, c.completion, vocab, 3).map((row, i) => ({ prompt: `p${i}`, row })), validation: [] }, { batchSize: c.batch, seed: 1 }), c.steps);
  } catch (error) {
    // What the failure had in hand: on wasm, live tensors against the heap it could not grow.
    const held = `tfjs held ${Math.round(tf.memory().numBytes / 2 ** 20)} MB in ${tf.memory().numTensors} tensors, peak RSS ${Math.round(peakRssMiB())} MB`;
    throw new Error(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}; ${held}`);
  }
  const trainable = Object.values(policy.trainable).reduce((s, v) => s + v.size, 0);
  policy.dispose();
  return { backend, msPerStep: mean(times.wall), minMs: Math.min(...times.wall), cpuMs: mean(times.cpu), trainable, peakRssMb: peakRssMiB() };
}

/** Completions/s of the reference pass: referenceLogprobs as DPO calls it (opens its session, every core), ORT on one thread, tfjs. */
async function referenceCase(): Promise<CaseResult> {
  const backend = describeBackend(await initBackend());
  const items = rows(REFERENCE_ITEMS, 16, 32, 2048, 4);
  const production = await bestOf(3, () => referenceLogprobs(BUILTIN_DIR, items, { batchSize: 8 }));
  const onnx = await openOnnxCheckpoint(BUILTIN_DIR, { intraOpNumThreads: 1 });
  const oneThread = await bestOf(3, () => completionLogprobs(onnx.lm, items, 8));
  await onnx.lm.release();
  const policy = loadTrainablePolicy(BUILTIN_DIR, { lora: null, seed: 1 });
  const tfjs = await bestOf(3, async () => {
    for (let at = 0; at < items.length; at += 8) tf.tidy(() => sequenceLogps(policy, items.slice(at, at + 8)).dataSync());
  });
  policy.dispose();
  const rates = { ort: REFERENCE_ITEMS / production, ort1: REFERENCE_ITEMS / oneThread, tfjs: REFERENCE_ITEMS / tfjs };
  return { backend, msPerStep: production * 1000, minMs: production * 1000, trainable: 0, peakRssMb: peakRssMiB(), rates };
}

/** Uniform noise of GPT-2's init scale from an LCG: 124M values in about a second (speed does not depend on them). */
function noise(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed | 1;
  for (let i = 0; i < n; i++) out[i] = ((s = (Math.imul(s, 1664525) + 1013904223) | 0) / 2 ** 31) * 0.035; // ±0.035: std 0.02
  return out;
}

/** GPT-2 small's shapes with random weights and the built-in tokenizer (ids < 2048 are all the bench uses). */
function writeGpt2SmallCheckpoint(dir: string): void {
  const graph = buildGpt2Graph(GPT2_SMALL);
  const weights = Object.fromEntries(graph.params.map((p, i) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const data = p.init.kind === "ones" ? new Float32Array(n).fill(1) : p.init.kind === "zeros" ? new Float32Array(n) : noise(n, i + 1);
    return [p.name, { shape: p.shape, data }];
  }));
  writeCheckpoint(dir, { config: GPT2_SMALL, eosId: 2047, tokenizerJson: {}, weights });
  copyFileSync(join(BUILTIN_DIR, "tokenizer.json"), join(dir, "tokenizer.json"));
}

/** Runs one case in a child process (this file, through the same tsx loader): its result, or its error's last line. */
function inChild(kind: "train" | "reference", spec: TrainCase | null, dir: string): CaseResult | { error: string } {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, self, "--case", kind, JSON.stringify(spec), dir], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  const last = child.stdout.trim().split("\n").at(-1) ?? "";
  if (child.status === 0 && last.startsWith("{")) return JSON.parse(last) as CaseResult;
  // The wasm glue prints its whole minified source before the error: keep short lines only.
  const lines = child.stderr.split("\n").map((l) => l.trim()).filter((l) => l.length > 0 && l.length < 300);
  const error = lines.find((l) => l.startsWith("failed: "))?.slice(8) ?? lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.filter((l) => !l.startsWith("phase:") && !l.startsWith("at ")).at(-1) ?? `exit ${child.status ?? child.signal}`;
  const where = lines.filter((l) => l.startsWith("phase: ")).at(-1)?.slice(7);
  return { error: `${error.slice(0, 200)}${where ? ` (in the ${where})` : ""}` };
}

/** PyTorch's ms per step of each case (or its error), and which PyTorch; a string when there is none. */
function torchTimes(cases: TrainCase[]): { times: Map<string, number | string>; about: string } | string {
  const torch = findTorchPython();
  if (!torch.available) return torch.reason;
  const script = fileURLToPath(new URL("./policy-bench.py", import.meta.url));
  const run = spawnSync(torch.python, ["-B", script, JSON.stringify(cases)], { encoding: "utf8", maxBuffer: 16 * 2 ** 20 });
  if (run.status !== 0) return `bench/policy-bench.py failed: ${run.stderr.trim().split("\n").at(-1)}`;
  const times = new Map<string, number | string>();
  let about = "";
  for (const line of run.stdout.trim().split("\n")) {
    const r = JSON.parse(line) as { model: string; name: string; torch: string; threads: number; ms_per_step?: number; error?: string };
    times.set(`${r.model}/${r.name}`, r.ms_per_step ?? `failed: ${r.error}`);
    about = `torch ${r.torch}, ${r.threads} thread${r.threads > 1 ? "s" : ""} (PREFLAB_TORCH_THREADS)`;
  }
  return { times, about };
}

const round = (v: number, digits = 4) => Number(v.toPrecision(digits));

function trainRow(c: TrainCase, r: CaseResult | { error: string }, torchMs: number | string | undefined): Row {
  const tokens = (c.objective === "dpo" ? 2 : 1) * c.batch * (c.prompt + c.completion);
  const unit = c.objective === "dpo" ? "pairs/s" : "tokens/s";
  const shape = `B=${c.batch}${c.objective === "dpo" ? " pairs" : ""}, ${c.prompt}+${c.completion} tokens`;
  const row: Row = { bench: "policy", model: c.model, case: c.name, metric: `${unit} (${shape})`, cores: availableParallelism() };
  if ("error" in r) return { ...row, value: "failed", note: r.error };
  const perSecond = (c.objective === "dpo" ? c.batch : tokens) / (r.msPerStep / 1000);
  return {
    ...row, value: round(perSecond), "ms/step": Math.round(r.msPerStep), "peak RSS MB": Math.round(r.peakRssMb),
    "vs PyTorch": typeof torchMs === "number" ? `${round(torchMs / r.msPerStep, 3)}× (${Math.round(torchMs)} ms)` : (torchMs ?? "-"),
    note: `${r.backend}; ${c.steps} steps after 1 warm-up, best ${Math.round(r.minMs)} ms, CPU ${Math.round(r.cpuMs ?? 0)} ms/step; ${round(tokens / (r.msPerStep / 1000))} tok/s; ${(r.trainable / 1e6).toFixed(2)}M trainable`,
  };
}

function referenceRows(r: CaseResult | { error: string }): Row[] {
  const row = { bench: "policy", model: "builtin", case: "reference log-probs", cores: availableParallelism() };
  const metric = `completions/s (${REFERENCE_ITEMS} × 16+32 tokens, batches of 8)`;
  if ("error" in r || !r.rates) return [{ ...row, metric, value: "failed", note: "error" in r ? r.error : "" }];
  const { ort, ort1, tfjs } = r.rates;
  return [
    { ...row, metric: `${metric}, ONNX Runtime`, value: round(ort!), "peak RSS MB": Math.round(r.peakRssMb), note: `referenceLogprobs as DPO runs it (opens the session, ${availableParallelism()} threads): ${round(ort! / tfjs!, 3)}× tfjs` },
    { ...row, metric: `${metric}, ONNX Runtime 1 thread`, value: round(ort1!), note: `session already open: ${round(ort1! / tfjs!, 3)}× tfjs` },
    { ...row, metric: `${metric}, tfjs forward`, value: round(tfjs!), note: `${r.backend}; sequenceLogps without gradients` },
  ];
}

export async function run(): Promise<Row[]> {
  const gpt2Dir = mkdtempSync(join(tmpdir(), "preflab-policy-bench-"));
  try {
    writeGpt2SmallCheckpoint(gpt2Dir);
    const results = CASES.map((c) => inChild("train", c, c.model === "builtin" ? BUILTIN_DIR : gpt2Dir));
    const reference = inChild("reference", null, BUILTIN_DIR);
    const torch = torchTimes(CASES);
    const rows = CASES.map((c, i) => trainRow(c, results[i]!, typeof torch === "string" ? undefined : torch.times.get(`${c.model}/${c.name}`)));
    rows.push(...referenceRows(reference));
    const available = typeof torch !== "string";
    rows.push({ bench: "policy", model: "-", case: "PyTorch", metric: "same steps in PyTorch", value: available ? "ran" : "not available", note: available ? torch.about : torch, cores: availableParallelism() });
    return rows;
  } finally {
    rmSync(gpt2Dir, { recursive: true, force: true });
  }
}

async function child(kind: string, spec: string, dir: string): Promise<void> {
  try {
    const result = kind === "reference" ? await referenceCase() : await trainCase(JSON.parse(spec) as TrainCase, dir);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (error) {
    process.stderr.write(`failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "--case") await child(process.argv[3]!, process.argv[4]!, process.argv[5]!);
