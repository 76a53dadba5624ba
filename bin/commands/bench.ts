import type { Command } from "commander";
import { resolveModelArg } from "./model-arg";

const int = (v: string) => Number.parseInt(v, 10);

/** Registers `bench train`: how fast this machine trains a given checkpoint. */
export function register(program: Command): void {
  program
    .command("bench")
    .description("measure this machine")
    .command("train")
    .description("time real training steps (forward, backward, AdamW) of a checkpoint: tokens/s, engine, threads, peak memory")
    .requiredOption("--model <dir|id>", "checkpoint directory or policy id")
    .option("--batch <n>", "sequences per step", int, 4)
    .option("--seq <n>", "tokens per sequence (capped by the model's context)", int, 128)
    .option("--steps <n>", "timed steps after one warm-up", int, 5)
    .option("--engine <engine>", "auto, onnx, gpu, node, wasm or cpu", "auto")
    .option("--memory <mode>", "ONNX Runtime's step: auto (by model size vs memory), fused (fastest) or lean (one state set)", "auto")
    .option("--json", "print {tokensPerSecond, engine, threads, peakRssMiB, ...} as one JSON object")
    .action(async (o: { model: string; batch: number; seq: number; steps: number; engine: string; memory: string; json?: boolean }) => {
      const { benchTrain, BENCH_ENGINES, BENCH_MEMORY_MODES } = await import("../../trainer/bench-train");
      if (!(BENCH_ENGINES as readonly string[]).includes(o.engine)) throw new Error(`--engine must be one of ${BENCH_ENGINES.join(", ")}`);
      if (!(BENCH_MEMORY_MODES as readonly string[]).includes(o.memory)) throw new Error(`--memory must be one of ${BENCH_MEMORY_MODES.join(", ")}`);
      const r = await benchTrain(resolveModelArg(o.model), { batch: o.batch, seq: o.seq, steps: o.steps, engine: o.engine as never, memory: o.memory as never });
      if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else process.stdout.write(`${r.tokensPerSecond.toFixed(0)} tokens/s (${r.secondsPerStep.toFixed(2)} s/step, ${(r.parameters / 1e6).toFixed(2)}M parameters) on ${r.engine}${r.memoryMode ? `, ${r.memoryMode} step` : ""}, ${r.threads} thread(s), peak ${r.peakRssMiB} MiB\n`);
    });
}
