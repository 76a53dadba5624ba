/**
 * Reward-model run configuration (`--config FILE`, or the dashboard form), nanoGPT style: one flat
 * object, every field with its one-line reason as its `.describe()` (the launch form and
 * `preflab train reward --help` read them). Parsing `{}` gives the defaults; unknown keys are
 * errors so a typo never silently trains with a default.
 */
import { z } from "zod";
import { ENGINE_DESCRIPTION, TRAINING_ENGINES } from "../onnx-train/engine-choice";
import { TIE_MODES } from "./tie-modes";

export const REWARD_MODEL_KINDS = ["neural", "linear"] as const;

const rewardConfigFields = z.strictObject({
  kind: z.enum(REWARD_MODEL_KINDS).default("neural")
    .describe("neural: backbone + scalar head (slow, strong); linear: hashed n-grams (seconds, a baseline)"),
  base: z.string().min(1).nullable().default(null)
    .describe("Backbone checkpoint directory (neural); null: the built-in policy, models/builtin"),
  name: z.string().min(1).max(200).nullable().default(null)
    .describe("Name listed on the dashboard; null: named after the run (reward-<run id>)"),
  includeSynthetic: z.boolean().default(false)
    .describe("Train on synthetic judgements (drex, trex cold-start runs) too (off: people's and imported judgements only)"),
  tieMode: z.enum(TIE_MODES).default("exclude")
    .describe("How ties enter the loss (neural; linear learns from decided pairs only); exclude: a tie says neither answer is better"),
  tieParameter: z.number().positive().nullable().default(null)
    .describe("Rao-Kupper η / Davidson ν (neural); null: fitted to the training pairs' tie rate"),
  centering: z.number().min(0).default(0.01)
    .describe("λ of λ·mean((r_c + r_r)²) (neural): keeps rewards centred near 0 for PPO; 0.01 is the usual choice"),
  marginByStrength: z.tuple([z.number(), z.number(), z.number()]).default([0, 0, 0])
    .describe("Margin m for judgement strength 1, 2, 3 (Llama 2 style; both kinds); all 0 ignores strength"),
  validationFraction: z.number().min(0.01).max(0.5).default(0.1)
    .describe("Share of prompts held out for validation: early stopping selects on it"),
  testFraction: z.number().min(0.01).max(0.5).default(0.1)
    .describe("Share of prompts held out for the reported metrics (both kinds): never trained or selected on"),
  seed: z.number().int().default(1234).describe("Seed of the split, the head initialisation and the batch order"),
  batchSize: z.number().int().positive().default(8).describe("Pairs per optimizer step (neural); each pair is two sequences"),
  maxLength: z.number().int().positive().default(256)
    .describe("Tokens per sequence (neural); longer transcripts keep their end, where the answer is"),
  learningRate: z.number().positive().default(1e-5).describe("Peak Adam learning rate (neural); small, since the backbone is already trained"),
  epochs: z.number().positive().default(1).describe("Passes over the training pairs (neural); one or two, reward models overfit quickly"),
  maxSteps: z.number().int().positive().nullable().default(null)
    .describe("Cap on optimizer steps (neural), whatever epochs says: a time budget for slow backbones"),
  evalInterval: z.number().int().positive().default(50).describe("Validate (and checkpoint) every this many steps (neural)"),
  patience: z.number().int().min(1).default(3).describe("Stop after this many validations without a better validation loss (neural)"),
  engine: z.enum(TRAINING_ENGINES).default("auto").describe(`${ENGINE_DESCRIPTION} (neural)`),
  l2: z.number().min(0).default(1e-3).describe("L2 strength (linear); keeps rare n-grams from memorising a handful of pairs"),
  hashBits: z.number().int().min(8).max(24).default(18).describe("Hash buckets (linear), log2: 18 gives 262,144 buckets"),
});

type RewardModelKind = (typeof REWARD_MODEL_KINDS)[number];
type RewardField = keyof z.infer<typeof rewardConfigFields>;

/**
 * Fields only one kind's trainer reads (train-neural.ts, train-linear.ts). Any other field set to
 * a non-default value for the other kind is refused with the field and the kind named, so nobody
 * believes a linear run was centred or early-stopped. Comparing the parsed value with the default
 * is the same as asking whether the input set it: defaults only fill keys the input left out, and
 * a stored config (every key, defaults included) parses again unchanged.
 */
const KIND_ONLY_FIELDS: Record<RewardModelKind, readonly RewardField[]> = {
  neural: ["base", "tieMode", "tieParameter", "centering", "batchSize", "maxLength", "learningRate", "epochs", "maxSteps", "evalInterval", "patience", "engine"],
  linear: ["l2", "hashBits"],
};
const DEFAULTS = rewardConfigFields.parse({});

export const rewardConfigSchema = rewardConfigFields.superRefine((config, ctx) => {
  for (const owner of REWARD_MODEL_KINDS) {
    if (owner === config.kind) continue;
    for (const field of KIND_ONLY_FIELDS[owner]) {
      if (JSON.stringify(config[field]) === JSON.stringify(DEFAULTS[field])) continue;
      ctx.addIssue({ code: "custom", path: [field], message: `does nothing for kind "${config.kind}" (only "${owner}" reads it); leave it out` });
    }
  }
  if (config.validationFraction + config.testFraction >= 1) {
    ctx.addIssue({ code: "custom", path: ["testFraction"], message: "validationFraction + testFraction must be below 1: training needs prompts too" });
  }
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
