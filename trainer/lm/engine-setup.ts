// The engine of a language-modelling run, shared by "pretrain" runs (./executor.ts) and
// `preflab pretrain` (../pretrain.ts): ONNX Runtime when it can build the step graph (auto) or is
// asked for (onnx), else a TensorFlow.js backend with optional data-parallel gradient threads.
import { describeBackend, initBackend } from "../backend";
import { describeOrtEngine, resolveLmEngine, type TrainingEngine } from "../onnx-train/engine";
import { withOrtEngine } from "../onnx-train/lm-engine";
import type { OrtTrainer } from "../onnx-train/ort-trainer";
import type { TrainConfig } from "../train/config";
import { DataParallel } from "../train/data-parallel";
import type { Objective } from "../train/loop";
import type { TrainingSetup } from "../train/setup";

export interface LmEngine {
  /** For logs and the run page: "onnxruntime cpu (threads=2)" or "wasm (…) × 2 gradient threads". */
  described: string;
  /** Data-parallel gradient workers (tfjs only; ORT uses every core inside one step). */
  parallel?: DataParallel;
  /** The objective trained by this engine (unchanged on tfjs). */
  wrap<B>(objective: Objective<B>): Promise<Objective<B>>;
  release(): Promise<void>;
}

/**
 * Starts the TensorFlow.js backend that holds the model whichever engine trains (tfjs evaluates
 * and saves): the one asked for, else the default one. Call it before the model is built.
 */
export async function initModelBackend(choice: TrainingEngine): Promise<void> {
  await initBackend(choice === "auto" || choice === "onnx" ? undefined : choice);
}

/** Resolves `choice` for `setup`'s model at the step shape of `train` (after initModelBackend). */
export async function lmEngine(choice: TrainingEngine, setup: TrainingSetup, train: TrainConfig, gradientThreads: number): Promise<LmEngine> {
  const { engine, stepGraph } = await resolveLmEngine(choice, { graph: setup.model.graph, batch: train.batchSize, seq: train.blockSize, adamw: train });
  if (engine.kind === "onnx") {
    let ort: OrtTrainer | undefined;
    return {
      described: describeOrtEngine(engine.provider, engine.threads),
      wrap: async (objective) => {
        const wrapped = await withOrtEngine(objective, { model: setup.model, adamw: train, batch: train.batchSize, seq: train.blockSize, provider: engine.provider, threads: engine.threads, stepGraph });
        ort = wrapped.trainer;
        return wrapped.objective;
      },
      release: async () => ort?.release(),
    };
  }
  const parallel = gradientThreads > 1 ? await DataParallel.start(setup.config, gradientThreads - 1) : undefined;
  return {
    described: `${describeBackend(engine.backend)}${gradientThreads > 1 ? ` × ${gradientThreads} gradient threads` : ""}`,
    parallel,
    wrap: async (objective) => objective,
    release: async () => parallel?.close(),
  };
}
