// Which step a model trains with on ONNX Runtime: the fused one (AdamW inside the step graph,
// ./step-session.ts) or the memory-lean one (one state set, AdamW over flat chunks,
// ./lean-step-session.ts). Measured with `npm run bench -- engine` shapes (nproc = 2, batch
// 4 × 128, both without ORT's memory pattern, load average 1.4–2.3):
//   built-in policy (1M)  fused: 0.064 CPU s/step        lean: 0.094 CPU s/step
//   GPT-2 small (124M)    fused: 6.0 GiB, 8.1 CPU s/step  lean: 4.1 GiB, 6.6 CPU s/step
//   GPT-2 medium (355M)                                   lean: 9.2 GiB, 20.8 CPU s/step
// (the fused step of GPT-2 medium passed 19 GB and was stopped). From GPT-2 small's size on the
// lean step is smaller AND cheaper: the fused step's 12 bytes per parameter of state outputs are
// copied by the binding into fresh memory every step (page faults, garbage), the lean step's 4
// bytes of gradients only; on tiny models the lean step's second session and copies cost more.
import { totalmem } from "node:os";
import type { StepMemoryMode } from "./step-session";

export type { StepMemoryMode } from "./step-session";
/** A trainer's choice: a mode, or `auto` (chooseMemoryMode). */
export type StepMemoryChoice = StepMemoryMode | "auto";
export const STEP_MEMORY_CHOICES = ["auto", "fused", "lean"] as const;

/** Peak resident bytes per parameter of a fused step, activations included: GPT-2 small's 6.0–7.3 GiB over 124M (with and without ORT's memory pattern), rounded up. */
export const FUSED_BYTES_PER_PARAM = 64;
/** From about this size on the lean step is the cheaper one too (measured at GPT-2 small, above; no size between 1M and 124M measured). */
export const LEAN_FROM_PARAMS = 100e6;

/** Lean from LEAN_FROM_PARAMS on, or whenever the fused step's estimated peak would take more than half the memory (others need some too). */
export function chooseMemoryMode(parameters: number, memoryBytes = totalmem()): StepMemoryMode {
  return parameters >= LEAN_FROM_PARAMS || parameters * FUSED_BYTES_PER_PARAM > memoryBytes / 2 ? "lean" : "fused";
}

/** The mode a trainer runs for `choice`. */
export function resolveMemoryMode(choice: StepMemoryChoice | undefined, parameters: number): StepMemoryMode {
  return !choice || choice === "auto" ? chooseMemoryMode(parameters) : choice;
}
