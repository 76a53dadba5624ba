import fs from "node:fs";
import path from "node:path";
import { DEMO_SAMPLING, promptsNeedingSamples, type DemoSamples, type planDemo } from "../server/services/demo-seed";

/** Where the built-in policy ships (see models/builtin/README.md for how it was trained). */
export const BUILTIN_MODEL_DIR = path.resolve("models/builtin");

/**
 * Continuations of the demo's openings by the built-in policy, sampled on ONNX Runtime with
 * fixed seeds so every fresh install seeds the same demo. Null when the checkpoint is missing.
 */
export async function sampleDemoContinuations(plan: ReturnType<typeof planDemo>): Promise<DemoSamples | null> {
  if (!fs.existsSync(path.join(BUILTIN_MODEL_DIR, "model.safetensors"))) return null;
  const { openOnnxCheckpoint } = await import("../trainer/onnx/checkpoint");
  const { generateOnnx } = await import("../trainer/onnx/generate");
  const model = await openOnnxCheckpoint(BUILTIN_MODEL_DIR);
  const needed = promptsNeedingSamples(plan);
  const prompts = needed.flatMap(({ opening, n }) => Array.from({ length: n }, () => opening));
  const generations = await generateOnnx(model, prompts, {
    temperature: DEMO_SAMPLING.temperature,
    topP: DEMO_SAMPLING.topP,
    maxNewTokens: DEMO_SAMPLING.maxNewTokens,
    seed: DEMO_SAMPLING.seed,
    stop: ["\n"],
  });
  const byOpening = new Map<string, string[]>();
  prompts.forEach((opening, i) => byOpening.set(opening, [...(byOpening.get(opening) ?? []), generations[i]!.text]));
  return { policy: { name: "builtin", path: "models/builtin" }, byOpening };
}
