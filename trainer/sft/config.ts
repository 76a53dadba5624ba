// SFT on the project's data: completion-only cross-entropy on corrected texts, chosen responses
// or imported demonstrations, from a chosen policy (the "supervised policy" step of the classic
// recipe). Starts from a policy version, never from scratch.
import { z } from "zod";
import { ENGINE_DESCRIPTION, TRAINING_ENGINES } from "../onnx-train/engine-choice";
import { policyRunFields } from "../policy/config";

export const SFT_SOURCES = ["corrections", "chosen", "demonstrations"] as const;

export const sftConfigSchema = z.strictObject({
  ...policyRunFields({ learningRate: 3e-4, epochs: 3, batchSize: 8 }),
  sources: z.array(z.enum(SFT_SOURCES)).min(1).default(["corrections", "chosen", "demonstrations"])
    .describe("Which texts to imitate: annotators' corrections, chosen responses, imported demonstrations"),
  engine: z.enum(TRAINING_ENGINES).default("auto").describe(`${ENGINE_DESCRIPTION}; LoRA runs train on TensorFlow.js`),
});

export type SftConfig = z.infer<typeof sftConfigSchema>;
