import type { LoopHooks } from "../train/loop";
import type { RunContext } from "./run-context";

/** The training loop's hooks for a run in the worker: progress rows, recorded checkpoints, cancellation. */
export function runHooks(ctx: RunContext): LoopHooks {
  return {
    progress: (row) => ctx.progress(row),
    checkpoint: (dir, step) => ctx.checkpoint(dir, step),
    throwIfCancelled: () => ctx.throwIfCancelled(),
  };
}
