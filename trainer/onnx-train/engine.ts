// Which engine trains: ONNX Runtime (with CUDA when the installed onnxruntime-node carries its
// CUDA provider, else CPU) or a TensorFlow.js backend. `auto` takes the fastest available, in the
// issue's order: ORT+CUDA, tfjs-node-gpu, ORT CPU, tfjs-node, wasm (then tfjs cpu).
import { existsSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { initBackend, type BackendChoice, type BackendInfo } from "../backend";
import type { TrainingEngine } from "./engine-choice";
import { lmStepFor, type LmStepOptions } from "./ort-trainer";
import type { StepGraph } from "./step-graph";

export { TRAINING_ENGINES, type TrainingEngine } from "./engine-choice";

export type ResolvedEngine =
  | { kind: "onnx"; provider: "cuda" | "cpu"; threads: number }
  | { kind: "tfjs"; backend: BackendInfo };

/** True when onnxruntime-node's CUDA provider library is installed beside its binding. */
export function ortCudaAvailable(): boolean {
  try {
    const bin = join(dirname(createRequire(import.meta.url).resolve("onnxruntime-node/package.json")), "bin");
    const search = (dir: string): boolean => readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? search(join(dir, e.name)) : e.name.startsWith("libonnxruntime_providers_cuda")));
    return existsSync(bin) && search(bin);
  } catch {
    return false;
  }
}

async function tfjs(choice: BackendChoice): Promise<ResolvedEngine | null> {
  try {
    return { kind: "tfjs", backend: await initBackend(choice) };
  } catch {
    return null;
  }
}

/**
 * Resolves a requested engine. `ortCanTrain` says whether an ORT step graph can be built for
 * this model (every op has a backward rule): `auto` skips ORT otherwise, `onnx` throws its reason.
 */
export async function resolveEngine(engine: TrainingEngine, ortCanTrain: () => true | string): Promise<ResolvedEngine> {
  const threads = availableParallelism();
  let verdict: true | string | undefined;
  const ortOk = () => (verdict ??= ortCanTrain()) === true;
  if (engine === "onnx") {
    const ok = (verdict ??= ortCanTrain());
    if (ok !== true) throw new Error(`the ONNX Runtime engine cannot train this model: ${ok}`);
    return { kind: "onnx", provider: ortCudaAvailable() ? "cuda" : "cpu", threads };
  }
  if (engine !== "auto") {
    const found = await tfjs(engine);
    if (!found) throw new Error(`the TensorFlow.js ${engine} backend is not available here`);
    return found;
  }
  if (ortCudaAvailable() && ortOk()) return { kind: "onnx", provider: "cuda", threads };
  const gpu = await tfjs("gpu");
  if (gpu) return gpu;
  if (ortOk()) return { kind: "onnx", provider: "cpu", threads };
  for (const choice of ["node", "wasm", "cpu"] as const) {
    const found = await tfjs(choice);
    if (found) return found;
  }
  throw new Error("no training engine could start (tried ONNX Runtime and every TensorFlow.js backend)");
}

/**
 * resolveEngine whose check that ORT can train is building the graphs the ORT trainer will run
 * (`build`: built once here and handed on, never twice), unless something refuses ORT outright
 * (`ortRefusal`, e.g. LoRA). `built` is set when the engine is ORT.
 */
export async function resolveEngineBuilding<T>(choice: TrainingEngine, build: () => T, ortRefusal?: string): Promise<{ engine: ResolvedEngine; built?: T }> {
  let built: T | undefined;
  const engine = await resolveEngine(choice, () => {
    if (ortRefusal) return ortRefusal;
    try {
      built = build();
      return true;
    } catch (error) {
      return (error as Error).message;
    }
  });
  return { engine, built: engine.kind === "onnx" ? built : undefined };
}

/** The engine of a language-model run (pretrain, SFT) at its step shape, with its LM step graph when ORT trains. */
export async function resolveLmEngine(choice: TrainingEngine, o: LmStepOptions & { ortRefusal?: string }): Promise<{ engine: ResolvedEngine; stepGraph?: StepGraph }> {
  const { engine, built } = await resolveEngineBuilding(choice, () => lmStepFor(o), o.ortRefusal);
  return { engine, stepGraph: built };
}

/** ORT's execution providers for a resolved provider (CUDA falls back to CPU for the ops it lacks). */
export function ortProviders(provider: "cuda" | "cpu"): ("cuda" | "cpu")[] {
  return provider === "cuda" ? ["cuda", "cpu"] : ["cpu"];
}

/** One line for logs and the run page: "onnxruntime cpu (threads=2)". */
export function describeOrtEngine(provider: "cuda" | "cpu", threads: number): string {
  return `onnxruntime ${provider} (threads=${threads})`;
}
