// "Can my machine train this model, and how fast?": real training steps (forward, backward,
// AdamW) of a checkpoint at a given batch and sequence length on one engine, timed after a
// warm-up, with peak memory. The ONNX Runtime training engine is not built yet: asking for it
// is a clear error, never a silent fallback.
import { describeBackend, initBackend, type BackendChoice } from "./backend";
import { peakRssMiB } from "./peak-rss";
import { trainStep } from "./train/lm-step";
import { AdamW } from "./train/optimizer";
import { checkpointSetup, disposeSetup } from "./train/setup";
import { contextLength } from "./models/model-config";

export const BENCH_ENGINES = ["auto", "onnx", "gpu", "node", "wasm", "cpu"] as const;
export type BenchEngine = (typeof BENCH_ENGINES)[number];

export interface TrainBenchResult {
  tokensPerSecond: number;
  engine: string;
  threads: number;
  peakRssMiB: number;
  secondsPerStep: number;
  parameters: number;
}

export async function benchTrain(dir: string, o: { batch: number; seq: number; steps: number; engine: BenchEngine }): Promise<TrainBenchResult> {
  if (o.engine === "onnx") throw new Error("the ONNX Runtime training engine is not available in this preflab yet: use --engine auto (TensorFlow.js)");
  const backend = await initBackend(o.engine === "auto" ? undefined : (o.engine as BackendChoice));
  const setup = checkpointSetup(dir);
  const seq = Math.min(o.seq, contextLength(setup.config) - 1);
  const vocab = setup.config.vocab_size;
  const rows = Array.from({ length: o.batch }, (_, b) => Array.from({ length: seq + 1 }, (_, t) => (b * 7919 + t * 104729) % vocab));
  const batch = { inputs: rows.map((r) => r.slice(0, seq)), targets: rows.map((r) => r.slice(1)) };
  const optimizer = new AdamW({ beta1: 0.9, beta2: 0.95, weightDecay: 0.1, gradClip: 1 });
  try {
    trainStep(setup.model, optimizer, batch, 1e-4); // warm-up: kernels compiled, memory allocated
    const started = performance.now();
    for (let i = 0; i < o.steps; i++) trainStep(setup.model, optimizer, batch, 1e-4);
    const secondsPerStep = (performance.now() - started) / 1000 / o.steps;
    const parameters = Object.values(setup.model.params).reduce((s, p) => s + p.size, 0);
    return { tokensPerSecond: (o.batch * seq) / secondsPerStep, engine: describeBackend(backend), threads: 1, peakRssMiB: Math.round(peakRssMiB()), secondsPerStep, parameters };
  } finally {
    optimizer.dispose();
    disposeSetup(setup);
  }
}
