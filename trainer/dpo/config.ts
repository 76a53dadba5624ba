// Configs of the offline preference-optimisation kinds. `dpo`, `ipo`, `simpo` and `orpo` share one
// schema and differ only in their default loss (`lossType` can also pick any variant, and
// "listwise" trains on whole rankings with the Plackett-Luce form); `kto` learns from unpaired
// desirable / undesirable examples. Defaults follow TRL where TRL has one (β = 0.1, label
// smoothing 0, SimPO γ = 0.5, KTO weights 1); the learning rate does not: TRL's 1e-6 is for
// billion-parameter models, while the built-in 1M-parameter policy needs 1e-4 to move in minutes.
import { z } from "zod";
import { ENGINE_DESCRIPTION, TRAINING_ENGINES } from "../onnx-train/engine-choice";
import { policyRunFields } from "../policy/config";

export const PREFERENCE_LOSS_TYPES = ["sigmoid", "hinge", "ipo", "robust", "simpo", "orpo", "listwise"] as const;
export type PreferenceLossType = (typeof PREFERENCE_LOSS_TYPES)[number];

/** Losses that need no reference model (no reference log-prob pass at all). */
export const REFERENCE_FREE: ReadonlySet<PreferenceLossType> = new Set(["simpo", "orpo"]);

const POLICY_DEFAULTS = { learningRate: 1e-4, epochs: 2, batchSize: 8 };

export function preferenceConfigSchema(defaultLoss: PreferenceLossType, defaultBeta: number) {
  return z.strictObject({
    ...policyRunFields(POLICY_DEFAULTS),
    lossType: z.enum(PREFERENCE_LOSS_TYPES).default(defaultLoss).describe("sigmoid (DPO), hinge, ipo, robust, simpo, orpo, or listwise (Plackett-Luce over rankings)"),
    beta: z.number().positive().max(100).default(defaultBeta).describe("β: how far the policy may move from the reference (smaller: further)"),
    labelSmoothing: z.number().min(0).max(0.49).default(0).describe("ε: share of labels assumed flipped (conservative / robust DPO)"),
    simpoGamma: z.number().min(0).default(0.5).describe("SimPO target reward margin γ"),
    engine: z.enum(TRAINING_ENGINES).default("auto").describe(`${ENGINE_DESCRIPTION}; LoRA runs train on TensorFlow.js`),
  }).refine((c) => c.engine !== "onnx" || !c.lora, {
    path: ["engine"],
    message: "ONNX Runtime trains pairs and rankings with full fine-tuning only: LoRA adapters train on TensorFlow.js (engine auto picks it)",
  });
}

export const dpoConfigSchema = preferenceConfigSchema("sigmoid", 0.1);
// SimPO's paper tunes β in 2..2.5 (its rewards are per-token averages, so a larger β is needed).
export const KIND_DEFAULTS = {
  dpo: dpoConfigSchema,
  ipo: preferenceConfigSchema("ipo", 0.1),
  simpo: preferenceConfigSchema("simpo", 2),
  orpo: preferenceConfigSchema("orpo", 0.1),
} as const;

export type PreferenceConfig = z.infer<typeof dpoConfigSchema>;

export const ktoConfigSchema = z.strictObject({
  ...policyRunFields(POLICY_DEFAULTS),
  beta: z.number().positive().max(100).default(0.1).describe("β of KTO's value function"),
  desirableWeight: z.number().positive().default(1).describe("λ_D: weight of desirable examples"),
  undesirableWeight: z.number().positive().default(1).describe("λ_U: weight of undesirable examples"),
  engine: z.enum(TRAINING_ENGINES).default("auto").describe(`${ENGINE_DESCRIPTION}; LoRA runs train on TensorFlow.js`),
}).refine((c) => c.engine !== "onnx" || !c.lora, {
  path: ["engine"],
  message: "ONNX Runtime trains KTO with full fine-tuning only: LoRA adapters train on TensorFlow.js (engine auto picks it)",
});

export type KtoConfig = z.infer<typeof ktoConfigSchema>;
