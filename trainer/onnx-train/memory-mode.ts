// Which step a model trains with on ONNX Runtime: the fused one (AdamW inside the step graph,
// ./step-session.ts) or the memory-lean one (one state set, AdamW over flat chunks,
// ./lean-step-session.ts). Measured with `npm run bench -- engine` shapes (nproc = 2, batch 4 × 128,
// load average 4–9 from other work, so CPU seconds rather than wall time):
//   GPT-2 small (124M)  fused: peak 6.9–7.3 GiB, 15.8–17.3 CPU s/step
//                       lean:  peak 4.9 GiB,     10.2–12.3 CPU s/step
//   GPT-2 medium (355M) lean:  peak 10.9 GiB,    28.5 CPU s/step (fused passed 19 GB and was stopped)
// The lean step is smaller AND cheaper at these sizes: the fused step's 12 bytes per parameter
// of state outputs are copied out by the binding into fresh memory every step (page faults,
// garbage), the lean step's 4 bytes of gradients only. Below ~100M parameters both measured alike
// (the built-in policy: 0.08–0.13 CPU s/step either way), and there the fused step, one session
// run, stays the default.
import { totalmem } from "node:os";
import type { StepMemoryMode } from "./step-session";

export type { StepMemoryMode } from "./step-session";
/** A trainer's choice: a mode, or `auto` (chooseMemoryMode). */
export type StepMemoryChoice = StepMemoryMode | "auto";
export const STEP_MEMORY_CHOICES = ["auto", "fused", "lean"] as const;

/** Peak resident bytes per parameter of a fused step, activations included: GPT-2 small's 6.9–7.3 GiB over 124M, rounded up. */
export const FUSED_BYTES_PER_PARAM = 64;
/** From this size on the lean step is the faster one too (measured at GPT-2 small, above). */
export const LEAN_FROM_PARAMS = 100e6;

/** Lean from LEAN_FROM_PARAMS on, or whenever the fused step's estimated peak would take more than half the memory (others need some too). */
export function chooseMemoryMode(parameters: number, memoryBytes = totalmem()): StepMemoryMode {
  return parameters >= LEAN_FROM_PARAMS || parameters * FUSED_BYTES_PER_PARAM > memoryBytes / 2 ? "lean" : "fused";
}

/** The mode a trainer runs for `choice`. */
export function resolveMemoryMode(choice: StepMemoryChoice | undefined, parameters: number): StepMemoryMode {
  return !choice || choice === "auto" ? chooseMemoryMode(parameters) : choice;
}
