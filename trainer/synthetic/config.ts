/**
 * Cold-start runs (Brown et al. 2019): synthetic pairwise judgements for a project with few human
 * ones. `drex` samples one policy at rising ε-greedy noise and prefers the less noisy sample
 * (D-REX); `trex` ranks given demonstrations by quality, from policy versions ranked best first or
 * from a ranked file, and prefers the better-ranked one (T-REX). Every field says why
 * (`.describe()`): the launch form, `preflab train drex --help` and the server's validation read
 * them. `{}` parses for both.
 */
import { z } from "zod";
import { sampleConfigSchema } from "../sample/config";

export const SYNTHETIC_PAIRINGS = ["all", "adjacent"] as const;
export type SyntheticPairing = (typeof SYNTHETIC_PAIRINGS)[number];

const pairing = (levels: string) =>
  z.enum(SYNTHETIC_PAIRINGS).default("all")
    .describe(`all: every sample against every sample of each worse ${levels}; adjacent: only against the next worse ${levels} (fewer, harder pairs)`);

const increasing = (levels: number[]) => levels.every((l, i) => i === 0 || l > levels[i - 1]!);
const unique = (ids: number[]) => new Set(ids).size === ids.length;

// Prompts, tokens, temperature and seed mean what they mean in a `sample` run: one definition.
export const drexConfigSchema = sampleConfigSchema.pick({ prompts: true, maxPrompts: true, temperature: true, maxNewTokens: true, seed: true }).extend({
  policyId: z.number().int().positive().nullable().default(null)
    .describe("Policy version sampled; null: the project's newest (the built-in policy when it has none)"),
  noiseLevels: z.array(z.number().min(0).max(1)).min(2).max(20).default([0, 0.25, 0.5, 0.75, 1])
    .refine(increasing, "noise levels must be strictly increasing")
    .describe("ε of each level, least noise first: each token is drawn uniformly from the vocabulary with probability ε instead of from the policy; less noise is preferred"),
  samplesPerLevel: z.number().int().min(1).max(8).default(1)
    .describe("Samples per noise level and prompt (each records its seed and ε); two levels give samplesPerLevel² pairs"),
  pairing: pairing("noise level"),
});
export type DrexConfig = z.infer<typeof drexConfigSchema>;

export const trexConfigSchema = z.strictObject({
  policyIds: z.array(z.number().int().positive()).max(20).default([])
    .refine(unique, "a policy appears twice in policyIds")
    .describe("Policy versions ranked by quality, best first: their completions already in the project are ranked by their policy's place (T-REX's checkpoints); empty: the project's newest policy and its ancestors, newest best"),
  file: z.string().min(1).nullable().default(null)
    .describe("Instead of policies: JSONL of demonstrations ranked per prompt, {\"prompt\", \"completions\": [...], \"ranks\": [1, 2, 2]} (the ranked export's rows; no ranks: best first); command line only"),
  pairing: pairing("rank"),
  maxPrompts: z.number().int().min(1).max(1_000_000).default(10_000).describe("Prompts (or file lines) used at most, the first ones"),
});
export type TrexConfig = z.infer<typeof trexConfigSchema>;
