// Configs of online RL from a reward model: PPO (Ziegler 2019 / InstructGPT; KL-shaped per-token
// reward, value head, GAE), GRPO (Shao 2024; group-normalised advantages, k3 KL as a loss term)
// and RLOO (Ahmadian 2024; leave-one-out baseline on the KL-shaped sequence reward). Defaults
// follow TRL's PPOConfig / GRPOConfig / RLOOConfig where TRL has one; the learning rate does not
// (TRL's 3e-6 / 1e-6 are for billion-parameter models; the built-in policy needs more to move).
import { z } from "zod";
import { ENGINE_DESCRIPTION, TRAINING_ENGINES } from "../onnx-train/engine-choice";
import { policyRunFields } from "../policy/config";

export const RL_ALGORITHMS = ["ppo", "grpo", "rloo"] as const;
export type RlAlgorithm = (typeof RL_ALGORITHMS)[number];

const adaptiveKlSchema = z.strictObject({
  target: z.number().positive().default(6).describe("Target KL per sequence (nats) the controller steers β towards (Ziegler et al.: 6)"),
  horizon: z.number().positive().default(10000).describe("Horizon in samples: how slowly β adapts"),
});

function rlSchema(defaults: { samplesPerPrompt: number; beta: number; epochs: number }) {
  return z.strictObject({
    ...policyRunFields({ learningRate: 5e-5, epochs: defaults.epochs, batchSize: 8 }),
    rewardModelId: z.number().int().positive().nullable().default(null).describe("Reward model scoring the samples; null: the project's newest"),
    scoringFunction: z.string().min(1).nullable().default(null).describe("A scoring function registered in code, instead of a reward model"),
    samplesPerPrompt: z.number().int().min(1).max(64).default(defaults.samplesPerPrompt).describe("Completions sampled per prompt (the group of GRPO / RLOO)"),
    maxNewTokens: z.number().int().min(1).max(1024).default(24).describe("Tokens sampled per completion"),
    temperature: z.number().positive().max(5).default(1).describe("Sampling temperature of the rollouts (1: the policy's own distribution)"),
    beta: z.number().positive().max(100).default(defaults.beta).describe("β: weight of the KL penalty to the reference"),
    // k1 by default, as TRL: inside a REINFORCE-style reward, k3 would bias the gradient (GRPO's loss term always uses k3).
    klEstimator: z.enum(["k1", "k3"]).default("k1").describe("KL estimator of the KL-shaped reward (PPO, RLOO): k1 = log π − log π_ref, k3 = Schulman's non-negative one; GRPO's loss term always uses k3"),
    adaptiveKl: adaptiveKlSchema.nullable().default(null).describe("Adaptive KL controller (PPO); null: fixed β"),
    updateEpochs: z.number().int().min(1).max(32).default(4).describe("Optimisation passes over each rollout batch"),
    miniBatchSize: z.number().int().min(1).max(512).default(8).describe("Samples per gradient step within an update epoch"),
    clipRange: z.number().positive().max(1).default(0.2).describe("ε of the clipped surrogate"),
    clipRangeValue: z.number().positive().default(0.2).describe("Clip range of the value loss (PPO)"),
    valueCoef: z.number().min(0).default(0.1).describe("Weight of the value loss (PPO)"),
    entropyCoef: z.number().min(0).default(0).describe("Entropy bonus (0: none, as TRL)"),
    gamma: z.number().min(0).max(1).default(1).describe("Discount of GAE (PPO)"),
    lam: z.number().min(0).max(1).default(0.95).describe("λ of GAE (PPO)"),
    targetKl: z.number().positive().nullable().default(null).describe("Stop an iteration's update epochs once approx-KL exceeds this"),
    rewardClip: z.number().positive().default(10).describe("Scores (normalised by the reward model's stored mean/std) are clipped to ±this"),
    iterations: z.number().int().positive().nullable().default(null).describe("Rollout-and-update iterations; null: epochs over the training prompts"),
    engine: z.enum(TRAINING_ENGINES).default("auto").describe(`${ENGINE_DESCRIPTION}; of the updates (rollouts always sample on ONNX Runtime); LoRA runs train on TensorFlow.js`),
  }).refine((c) => c.engine !== "onnx" || !c.lora, {
    path: ["engine"],
    message: "ONNX Runtime trains RL updates with full fine-tuning only: LoRA adapters train on TensorFlow.js (engine auto picks it)",
  });
}

export const RL_CONFIG_SCHEMAS = {
  ppo: rlSchema({ samplesPerPrompt: 1, beta: 0.05, epochs: 2 }),
  grpo: rlSchema({ samplesPerPrompt: 4, beta: 0.04, epochs: 2 }),
  rloo: rlSchema({ samplesPerPrompt: 4, beta: 0.05, epochs: 2 }),
} as const;

export type RlConfig = z.infer<(typeof RL_CONFIG_SCHEMAS)["ppo"]>;
