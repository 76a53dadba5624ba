// Which step a model trains with on ONNX Runtime: the fused one (AdamW inside the step graph, the
// fastest, ./step-session.ts) or the memory-lean one (./lean-step-session.ts), from the state's
// size against the machine's memory. Measured peaks (nproc = 2, batch 4 × 128): see
// FUSED_BYTES_PER_PARAM.
import { totalmem } from "node:os";
import type { StepMemoryMode } from "./step-session";

export type { StepMemoryMode } from "./step-session";
/** A trainer's choice: a mode, or `auto` (chooseMemoryMode). */
export type StepMemoryChoice = StepMemoryMode | "auto";
export const STEP_MEMORY_CHOICES = ["auto", "fused", "lean"] as const;

/**
 * Peak resident bytes per parameter of a fused step, measured at GPT-2 small (124M parameters:
 * 7.4–7.8 GiB, ~64 B/param, activations included): two state sets (24 B), the binding's copy of
 * one (12 B), the gradients and AdamW's temporaries in ORT's arena.
 */
export const FUSED_BYTES_PER_PARAM = 64;

/** Fused when its estimated peak takes at most half the machine's memory (others need some too), else lean. */
export function chooseMemoryMode(parameters: number, memoryBytes = totalmem()): StepMemoryMode {
  return parameters * FUSED_BYTES_PER_PARAM <= memoryBytes / 2 ? "fused" : "lean";
}

/** The mode a trainer runs for `choice`. */
export function resolveMemoryMode(choice: StepMemoryChoice | undefined, parameters: number): StepMemoryMode {
  return !choice || choice === "auto" ? chooseMemoryMode(parameters) : choice;
}
