/**
 * `sample` run configuration: which policy versions continue which of the project's prompts, how
 * many samples each, and how they become tasks in the annotators' queue. Every field says why
 * (`.describe()`): the dashboard's launch form and the server's validation read them.
 * `{}` parses: the newest policy against its parent on up to 20 prompts nobody has sampled them on.
 */
import { z } from "zod";

export const SAMPLE_PROMPT_SETS = ["held-out", "all"] as const;
export const SAMPLE_LAYOUTS = ["pair", "rank", "correction"] as const;
export type SampleLayout = (typeof SAMPLE_LAYOUTS)[number];

export const sampleConfigSchema = z.strictObject({
  // Empty by default so that `{}` parses (the launch form shows the defaults); the run resolves it.
  policyIds: z.array(z.number().int().positive()).max(9).default([])
    .refine((ids) => new Set(ids).size === ids.length, "a policy appears twice in policyIds")
    .describe("Policy versions to sample, newest first (1 to 9); empty: the project's newest policy and its parent (the built-in policy when it has none)"),
  prompts: z.union([z.enum(SAMPLE_PROMPT_SETS), z.array(z.number().int().positive()).min(1).max(10_000)]).default("held-out")
    .describe("held-out: prompts with no task yet showing a completion of these policies; all: every prompt; or prompt ids"),
  maxPrompts: z.number().int().min(1).max(10_000).default(20).describe("Prompts sampled at most (a seeded sample of the set above)"),
  samplesPerPolicy: z.number().int().min(1).max(9).default(1).describe("Samples of each policy per prompt"),
  layout: z.enum(SAMPLE_LAYOUTS).default("pair")
    .describe("pair: each policy's sample against the next (older) policy's for the same prompt; rank: every sample of a prompt in one ranking (3 to 9); correction: every sample of a prompt in one correction task"),
  temperature: z.number().min(0).max(5).default(1).describe("Sampling temperature (1: the policy's own distribution, what its training learns from)"),
  maxNewTokens: z.number().int().min(1).max(512).default(48).describe("Tokens per sample (the prompt keeps its end to leave room for them in the context)"),
  seed: z.number().int().default(42).describe("Seed of the prompt sample and of every completion (each records the seed it was drawn with)"),
  priority: z.number().int().min(-1000).max(1000).default(1).describe("Task priority in the queue (higher first; existing tasks have 0): new samples before the old backlog"),
  requiredJudgements: z.number().int().min(1).max(50).nullable().default(null).describe("Annotators per task (overlap); null: the project's default"),
});

export type SampleConfig = z.infer<typeof sampleConfigSchema>;

/** Completions per task for each layout (core/tasks.ts enforces the same bounds). */
const TASK_SIZE: Record<SampleLayout, { min: number; max: number }> = { pair: { min: 2, max: 2 }, rank: { min: 3, max: 9 }, correction: { min: 2, max: 9 } };

/** Why `policies` × `samplesPerPolicy` cannot fill the layout's tasks, or null when it can. */
export function layoutProblem(layout: SampleLayout, policies: number, samplesPerPolicy: number): string | null {
  const perPrompt = policies * samplesPerPolicy;
  if (layout === "pair") return perPrompt >= 2 ? null : "a pair layout needs two policies, or samplesPerPolicy 2 or more for one policy";
  const { min, max } = TASK_SIZE[layout];
  if (perPrompt < min || perPrompt > max) return `a ${layout} task shows ${min} to ${max} completions, but ${policies} policies × ${samplesPerPolicy} samples make ${perPrompt}`;
  return null;
}
