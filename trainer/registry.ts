// THE registry of run kinds: each kind's config schema (defaults and a one-line description per
// field, read by the dashboard's launch form, the CLI's --help and the server's validation), what
// it needs, and its executor. Nothing else lists the kinds this build can run. Executors load
// lazily (TensorFlow.js only in the worker): the web server imports this file for the schemas
// alone, and the bundler is told not to follow the executor imports.
import type { z } from "zod";
import type { RunKind } from "../db/enums";
import { KIND_DEFAULTS, ktoConfigSchema } from "./dpo/config";
import { evaluateConfigSchema } from "./evaluate/config";
import { RL_CONFIG_SCHEMAS } from "./rl/config";
import { rewardConfigSchema } from "./reward/config";
import { sampleConfigSchema } from "./sample/config";
import { sftConfigSchema } from "./sft/config";
import { drexConfigSchema, trexConfigSchema } from "./synthetic/config";
import { lmRunConfigSchema } from "./train/lm-run-config";
import type { Executor } from "./worker/run-context";

export interface RunKindSpec {
  /** One line for the dashboard and `preflab train --help`. */
  description: string;
  schema: z.ZodType<Record<string, unknown>>;
  /** Trains on a project's judgements (a run without a project is refused). */
  needsProject: boolean;
  /** Config fields holding filesystem paths: accepted only from the CLI, never over the API. */
  cliOnlyFields: string[];
  /** True when the run ends by registering a new policy version. */
  producesPolicy: boolean;
  executor: () => Promise<Executor>;
}

const preference = (description: string, kind: keyof typeof KIND_DEFAULTS): RunKindSpec => ({
  description,
  schema: KIND_DEFAULTS[kind],
  needsProject: true,
  cliOnlyFields: [],
  producesPolicy: true,
  executor: async () => (await import(/* turbopackIgnore: true */ "./dpo/executor")).preferenceExecutor,
});

const online = (description: string, kind: keyof typeof RL_CONFIG_SCHEMAS): RunKindSpec => ({
  description,
  schema: RL_CONFIG_SCHEMAS[kind],
  needsProject: true,
  cliOnlyFields: [],
  producesPolicy: true,
  executor: async () => (await import(/* turbopackIgnore: true */ "./rl/executor")).rlExecutor,
});

export const RUN_KIND_REGISTRY: Partial<Record<RunKind, RunKindSpec>> = {
  dpo: preference("Direct Preference Optimization on the project's preference pairs (or rankings, lossType listwise)", "dpo"),
  ipo: preference("IPO: DPO with a squared loss on per-token log-ratios, robust to deterministic preferences", "ipo"),
  simpo: preference("SimPO: reference-free, length-normalised preference optimisation with a target margin", "simpo"),
  orpo: preference("ORPO: SFT on chosen answers plus an odds-ratio preference term, no reference model", "orpo"),
  ppo: online("PPO against a reward model with a KL-shaped reward to the reference, a value head and GAE", "ppo"),
  grpo: online("GRPO: k samples per prompt, group-normalised advantages, KL to the reference as a loss term; no value head", "grpo"),
  rloo: online("RLOO: REINFORCE with a leave-one-out baseline on the KL-shaped sequence reward; no value head", "rloo"),
  kto: {
    description: "KTO: learns from unpaired desirable / undesirable answers (both-bad judgements, corrections, winners, losers)",
    schema: ktoConfigSchema,
    needsProject: true,
    cliOnlyFields: [],
    producesPolicy: true,
    executor: async () => (await import(/* turbopackIgnore: true */ "./dpo/kto-executor")).ktoExecutor,
  },
  sft: {
    description: "SFT on the project's corrected texts, chosen responses and imported demonstrations (completion tokens only)",
    schema: sftConfigSchema,
    needsProject: true,
    cliOnlyFields: [],
    producesPolicy: true,
    executor: async () => (await import(/* turbopackIgnore: true */ "./sft/executor")).sftExecutor,
  },
  reward: {
    description: "Bradley-Terry reward model on the project's preference pairs (neural backbone + head, or hashed n-grams)",
    schema: rewardConfigSchema,
    needsProject: true,
    cliOnlyFields: ["base"],
    producesPolicy: false,
    executor: async () => (await import(/* turbopackIgnore: true */ "./reward/executor")).rewardExecutor,
  },
  sample: {
    description: "Samples of policy versions on the project's prompts, sent to the annotators' queue as pair, rank or correction tasks (ahead of the backlog)",
    schema: sampleConfigSchema,
    needsProject: true,
    cliOnlyFields: [],
    producesPolicy: false,
    executor: async () => (await import(/* turbopackIgnore: true */ "./sample/executor")).sampleExecutor,
  },
  evaluate: {
    description: "Evaluation: policy versions against a base on held-out prompts (reward-model win rate, mean reward, KL to the base, samples)",
    schema: evaluateConfigSchema,
    needsProject: true,
    cliOnlyFields: [],
    producesPolicy: false,
    executor: async () => (await import(/* turbopackIgnore: true */ "./evaluate/executor")).evaluateExecutor,
  },
  drex: {
    description: "D-REX cold start: the policy sampled at rising ε-greedy noise; synthetic judgements prefer less noise (used in training and export only when asked: includeSynthetic)",
    schema: drexConfigSchema,
    needsProject: true,
    cliOnlyFields: [],
    producesPolicy: false,
    executor: async () => (await import(/* turbopackIgnore: true */ "./synthetic/drex")).drexExecutor,
  },
  trex: {
    description: "T-REX cold start: demonstrations ranked by quality (policy versions best first, or a ranked file); synthetic judgements prefer the better rank (used only when asked: includeSynthetic)",
    schema: trexConfigSchema,
    needsProject: true,
    cliOnlyFields: ["file"],
    producesPolicy: false,
    executor: async () => (await import(/* turbopackIgnore: true */ "./synthetic/trex")).trexExecutor,
  },
  pretrain: {
    description: "Language-model training on a text corpus (the built-in movie reviews by default), from scratch or from a policy",
    schema: lmRunConfigSchema,
    needsProject: false,
    cliOnlyFields: ["data.file", "baseCheckpoint"],
    producesPolicy: true,
    executor: async () => (await import(/* turbopackIgnore: true */ "./lm/executor")).languageModelExecutor,
  },
};

export function runKindSpec(kind: RunKind): RunKindSpec | undefined {
  return RUN_KIND_REGISTRY[kind];
}

export function availableRunKinds(): RunKind[] {
  return Object.keys(RUN_KIND_REGISTRY) as RunKind[];
}
