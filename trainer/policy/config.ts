// The fields every policy run shares (DPO and family, KTO, SFT on the project's data): where it
// starts, how long and how fast it trains, how the data is split and truncated, LoRA, and the
// held-out evaluation at the end. Each field carries its one-line description (`.describe`), which
// the dashboard's launch form and the CLI's --help read.
import { z } from "zod";
import { sampleConfigSchema } from "../sample/config";

export const loraSchema = z.strictObject({
  rank: z.number().int().min(1).max(256).default(8).describe("Rank r of the low-rank update A·B (PEFT's default 8)"),
  alpha: z.number().positive().default(16).describe("The update is scaled by alpha/rank (PEFT's lora_alpha)"),
  targets: z.array(z.enum(["attention", "mlp"])).min(1).default(["attention", "mlp"]).describe("Weights that get adapters"),
});

export const evaluationSchema = z.strictObject({
  prompts: z.number().int().min(0).max(1000).default(16).describe("Held-out prompts sampled at the end (0: no samples, no KL)"),
  maxNewTokens: z.number().int().min(1).max(512).default(32).describe("Tokens per evaluation sample"),
  temperature: z.number().min(0).max(5).default(1).describe("Sampling temperature of the evaluation samples (1: the policy's own distribution, what KL measures)"),
});

/** Shared policy-run fields; `defaults` lets each kind pick its own learning rate and epochs. */
export function policyRunFields(defaults: { learningRate: number; epochs: number; batchSize: number }) {
  return {
    policyId: z.number().int().positive().nullable().default(null)
      .describe("Policy version to start from, also the reference; null: the project's newest policy"),
    includeGold: z.boolean().default(false).describe("Train on gold items' judgements too (off: gold items only check annotators)"),
    includeSynthetic: z.boolean().default(false).describe("Train on synthetic judgements (drex, trex cold-start runs) too (off: people's and imported judgements only)"),
    epochs: z.number().positive().max(1000).default(defaults.epochs).describe("Passes over the training examples"),
    maxSteps: z.number().int().positive().nullable().default(null).describe("Cap on optimizer steps whatever epochs says (a time budget)"),
    batchSize: z.number().int().min(1).max(512).default(defaults.batchSize).describe("Examples per optimizer step"),
    learningRate: z.number().positive().max(1).default(defaults.learningRate).describe("Peak AdamW learning rate"),
    warmupRatio: z.number().min(0).max(1).default(0.1).describe("Share of steps with linear learning-rate warm-up (then cosine decay)"),
    weightDecay: z.number().min(0).default(0).describe("AdamW decoupled weight decay on matrices"),
    maxGradNorm: z.number().min(0).default(1).describe("Global gradient-norm clip (0: none)"),
    maxLength: z.number().int().min(2).max(32768).nullable().default(null).describe("Tokens of prompt + completion kept; null: the model's context"),
    maxPromptLength: z.number().int().min(1).nullable().default(null).describe("Prompt tokens kept (from the end); null: half of maxLength"),
    validationFraction: z.number().min(0.01).max(0.5).default(0.1).describe("Share of prompts held out for validation (early stopping selects on it)"),
    testFraction: z.number().min(0).max(0.5).default(0.1).describe("Share of prompts held out for the reported test metrics (never selected on)"),
    evalInterval: z.number().int().min(0).default(25).describe("Validate every this many steps (0: at the end only)"),
    patience: z.number().int().min(1).nullable().default(null).describe("Stop after this many validations without a better validation loss; null: no early stopping"),
    progressEvery: z.number().int().min(1).default(1).describe("Steps between progress rows"),
    checkpointEvery: z.number().int().min(0).default(50).describe("Steps between resumable checkpoints (0: none)"),
    lora: loraSchema.nullable().default(null).describe("Low-rank adapters on a frozen base, merged into the saved policy; null: full fine-tuning"),
    evaluation: evaluationSchema.default(evaluationSchema.parse({})).describe("Held-out evaluation when the run ends"),
    seed: z.number().int().default(42).describe("Seed of the split, the batch order, LoRA initialisation and evaluation samples"),
    sampleAfter: sampleConfigSchema.nullable().default(null)
      .describe("A sample run queued when this run succeeds, so the new policy's samples reach the annotators (policyIds empty: the new version against the one it started from)"),
  };
}

export type LoraSettings = z.infer<typeof loraSchema>;
export type EvaluationSettings = z.infer<typeof evaluationSchema>;

const commonSchema = z.strictObject(policyRunFields({ learningRate: 1, epochs: 1, batchSize: 1 }));
/** The common part of a parsed policy-run config (every policy kind's schema extends these fields). */
export type PolicyRunConfig = z.infer<typeof commonSchema>;
