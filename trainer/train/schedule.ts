// Learning-rate schedule: linear warmup, then cosine decay to a floor (nanoGPT's get_lr).
import type { TrainConfig } from "./config";

/** Learning rate at optimizer step `step` (0-based). */
export function learningRateAt(step: number, c: Pick<TrainConfig, "learningRate" | "minLearningRate" | "warmupSteps" | "maxSteps">): number {
  if (step < c.warmupSteps) return (c.learningRate * (step + 1)) / c.warmupSteps;
  if (step >= c.maxSteps) return c.minLearningRate;
  const progress = (step - c.warmupSteps) / Math.max(1, c.maxSteps - c.warmupSteps);
  return c.minLearningRate + 0.5 * (1 + Math.cos(Math.PI * progress)) * (c.learningRate - c.minLearningRate);
}
