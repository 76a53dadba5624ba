/**
 * `evaluate` run configuration: which policy versions to compare against which base, on which
 * prompts, with how many samples. Every field says why (`.describe()`): the dashboard's launch
 * form and `preflab train evaluate --help` read them. Parsing `{ policyIds: [n] }` gives the rest.
 */
import { z } from "zod";

export const EVALUATION_PROMPT_SETS = ["test", "all"] as const;

export const evaluateConfigSchema = z.strictObject({
  // Empty by default so that `{}` parses (the launch form shows the defaults); the run refuses it.
  policyIds: z.array(z.number().int().positive()).max(9).default([])
    .describe("Policy versions to compare (1 to 9), each against the same base on the same prompts"),
  baseId: z.number().int().positive().nullable().default(null)
    .describe("Base policy every version is compared with; null: the root of the first policy's lineage (the built-in policy for runs started from it)"),
  prompts: z.union([z.enum(EVALUATION_PROMPT_SETS), z.array(z.number().int().positive()).min(1).max(1000)]).default("test")
    .describe("test: the project's held-out prompts (none judged before the newest compared policy was made); all: every prompt; or prompt ids"),
  maxPrompts: z.number().int().min(1).max(1000).default(32).describe("Prompts evaluated at most (a seeded sample of the set above)"),
  samplesPerPrompt: z.number().int().min(1).max(16).default(1).describe("Samples of each policy per prompt (rewards are averaged per prompt before comparing)"),
  maxNewTokens: z.number().int().min(1).max(512).default(32).describe("Tokens per sample"),
  temperature: z.number().min(0).max(5).default(1)
    .describe("Sampling temperature of the compared samples (KL always uses temperature-1 samples: the policy's own distribution)"),
  seed: z.number().int().default(42).describe("Seed of the prompt sample and of every policy's sampling (the same for all, so differences come from the policies)"),
  rewardModelId: z.number().int().positive().nullable().default(null)
    .describe("Reward model that scores the samples; null: the project's newest (none: the reward columns stay empty)"),
});

export type EvaluateConfig = z.infer<typeof evaluateConfigSchema>;
