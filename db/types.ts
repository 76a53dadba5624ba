import { z } from "zod";
import { BATTLE_SAMPLINGS, ENDPOINT_MODES, QUEUE_ORDERS, RUN_KINDS } from "./enums";

/** A run config as stored in settings; validated against its kind's schema when a round starts. */
const storedRunConfig = z.record(z.string(), z.unknown());

/**
 * The auto-loop (issue 10): when this many new human judgements have arrived since the last round,
 * the next round starts (reward model → policy run → sample run). A null config means "the last
 * one this project used" (its newest run of that kind), else the kind's defaults.
 */
export const autoLoopSchema = z.object({
  enabled: z.boolean().default(false),
  judgementsPerRound: z.number().int().min(1).max(1_000_000).default(100),
  reward: storedRunConfig.nullable().default(null),
  /** Policy run kind (dpo, ppo, ...); null: the kind of the project's newest policy run, else dpo. */
  policyKind: z.enum(RUN_KINDS).nullable().default(null),
  policy: storedRunConfig.nullable().default(null),
  sample: storedRunConfig.nullable().default(null),
});
export type AutoLoopSettings = z.infer<typeof autoLoopSchema>;

/**
 * Live battles (Arena mode, issue 11): annotators write a prompt, two policies drawn by `sampling`
 * answer it side by side with their names hidden until the vote.
 */
export const battleSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  /** Policies that may be drawn; empty: every policy of the project that can answer (a checkpoint or an endpoint), and the built-in one. */
  policyIds: z.array(z.number().int().positive()).max(100).default([]),
  /** uniform: every pair alike; fewer-games: a pair drawn with weight 1 / (1 + its judged games in the project). */
  sampling: z.enum(BATTLE_SAMPLINGS).default("uniform"),
  maxNewTokens: z.number().int().min(1).max(1024).default(48),
  temperature: z.number().min(0).max(5).default(1),
});
export type BattleSettings = z.infer<typeof battleSettingsSchema>;

/** Labeling settings of a project; every field has a default so a new project just works. */
export const projectSettingsSchema = z.object({
  /** How many different annotators judge each task (overlap, for agreement). */
  judgementsPerTask: z.number().int().min(1).max(50).default(3),
  /** A lease expires after this long; the task goes back to the queue. */
  leaseSeconds: z.number().int().min(30).max(86_400).default(900),
  /** Tasks one annotator may hold at once (leases that are not yet submitted). */
  maxActiveLeases: z.number().int().min(1).max(100).default(3),
  /** Share of served tasks that are gold items with a known answer. */
  goldRate: z.number().min(0).max(1).default(0.05),
  /** Flags after which a task leaves the queue. */
  flagsToRetire: z.number().int().min(1).max(100).default(2),
  /** Ranked tasks: may two completions share a rank? */
  allowRankTies: z.boolean().default(true),
  /** Ranked tasks: may an annotator rank only some of the completions? */
  allowPartialRanking: z.boolean().default(false),
  /** Seconds within which an annotator may undo their last judgement. */
  undoWindowSeconds: z.number().int().min(0).max(3600).default(30),
  /**
   * Order of the queue within a priority band: oldest first, the pairs the reward model is least
   * sure about first (|σ(r_a − r_b) − ½| small), or the tasks whose annotators disagree most first.
   */
  queueOrder: z.enum(QUEUE_ORDERS).default("oldest"),
  /** Reward model of the uncertainty order; null: the project's newest. */
  queueRewardModelId: z.number().int().positive().nullable().default(null),
  autoLoop: autoLoopSchema.default(autoLoopSchema.parse({})),
  battle: battleSettingsSchema.default(battleSettingsSchema.parse({})),
});
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

export const defaultProjectSettings = (): ProjectSettings => projectSettingsSchema.parse({});

/** How a completion was produced: enough to reproduce it. */
export interface SamplingParams {
  temperature?: number;
  topK?: number;
  topP?: number;
  maxNewTokens?: number;
  seed?: number;
  /** ε-greedy noise of a D-REX sample: the chance of each token being uniform instead of the policy's. */
  epsilon?: number;
}

/**
 * How preflab calls an external policy's OpenAI-compatible endpoint (policies.endpoint holds the
 * base URL; the API key is kept apart, in policy_api_keys, so no policy listing can carry it).
 */
export const endpointConfigSchema = z.object({
  /** The `model` field of every request (what the server calls the model, e.g. "llama3.1:8b"). */
  model: z.string().trim().min(1, "Name the model the endpoint serves").max(200),
  mode: z.enum(ENDPOINT_MODES).default("completions"),
  /** A request that has not answered after this long is abandoned (and retried). */
  timeoutSeconds: z.number().min(1).max(600).default(60),
  /** Requests in flight to this endpoint at once. */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Retries after a timeout, a lost connection or a 5xx, with exponential backoff (0.5 s, 1 s, 2 s, ...). */
  retries: z.number().int().min(0).max(5).default(2),
});
export type EndpointConfig = z.infer<typeof endpointConfigSchema>;
