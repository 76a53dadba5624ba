/**
 * Reward-model run configuration (`--config FILE`, or the dashboard form), nanoGPT style: one flat
 * object, every field with its reason. Parsing `{}` gives the defaults; unknown keys are errors so
 * a typo never silently trains with a default.
 */
import { z } from "zod";
import { TIE_MODES } from "./tie-modes";

export const REWARD_MODEL_KINDS = ["neural", "linear"] as const;

export const rewardConfigSchema = z.strictObject({
  /** neural: backbone + scalar head (slow, strong); linear: hashed n-grams (seconds, a baseline). */
  kind: z.enum(REWARD_MODEL_KINDS).default("neural"),
  /** Backbone checkpoint directory (neural); null means the built-in policy, models/builtin. */
  base: z.string().min(1).nullable().default(null),
  /** Name listed on the dashboard; null names the model after its run ("reward-<run id>"). */
  name: z.string().min(1).max(200).nullable().default(null),
  /** How ties enter the loss; "exclude" because a tie says nothing about which answer is better. */
  tieMode: z.enum(TIE_MODES).default("exclude"),
  /** Rao-Kupper η / Davidson ν; null fits them to the training pairs' tie rate. */
  tieParameter: z.number().positive().nullable().default(null),
  /** λ of λ·mean((r_c + r_r)²): keeps rewards centred near 0 for PPO; 0.01 is the usual choice. */
  centering: z.number().min(0).default(0.01),
  /** Margin m for judgement strength 1, 2, 3 (Llama 2 style); all 0 ignores strength. */
  marginByStrength: z.tuple([z.number(), z.number(), z.number()]).default([0, 0, 0]),
  /** Share of prompts held out for validation and early stopping. */
  validationFraction: z.number().min(0.01).max(0.5).default(0.1),
  /** Seed of the split, the head initialisation and the batch order. */
  seed: z.number().int().default(1234),
  /** Pairs per optimizer step (neural); each pair is two sequences. */
  batchSize: z.number().int().positive().default(8),
  /** Tokens per sequence (neural); longer transcripts keep their end, where the answer is. */
  maxLength: z.number().int().positive().default(256),
  /** Adam learning rate (neural); small, since the backbone is already trained. */
  learningRate: z.number().positive().default(1e-5),
  /** Passes over the training pairs (neural); one or two, reward models overfit quickly. */
  epochs: z.number().positive().default(1),
  /** Cap on optimizer steps (neural), whatever `epochs` says: a time budget for slow backbones. */
  maxSteps: z.number().int().positive().nullable().default(null),
  /** Validate every this many steps (neural). */
  evalInterval: z.number().int().positive().default(50),
  /** Stop after this many validations without a better validation loss. */
  patience: z.number().int().min(1).default(3),
  /** L2 strength (linear); see trainer/reward/linear.ts. */
  l2: z.number().min(0).default(1e-3),
  /** Hash buckets (linear), log2; 18 → 262,144 buckets. */
  hashBits: z.number().int().min(8).max(24).default(18),
});

export type RewardConfig = z.infer<typeof rewardConfigSchema>;

/** Validated config with defaults filled in; the error lists every bad field by name. */
export function parseRewardConfig(input: unknown): RewardConfig {
  const result = rewardConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`);
  throw new Error(`invalid reward config: ${problems.join("; ")}`);
}

/** Margin for a judgement strength 1..3 (null or out-of-range strength: no margin). */
export function marginForStrength(strength: number | null | undefined, config: Pick<RewardConfig, "marginByStrength">): number {
  if (strength === 1 || strength === 2 || strength === 3) return config.marginByStrength[strength - 1];
  return 0;
}
