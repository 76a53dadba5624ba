/**
 * Every enumerated column, as `as const` tuples: the drizzle schema and the zod validators both
 * read these, so a value the database accepts is exactly a value the API accepts.
 */
export const USER_ROLES = ["annotator", "researcher", "admin"] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const POLICY_KINDS = ["builtin", "checkpoint", "external", "imported"] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** How an external policy's OpenAI-compatible endpoint is called: /v1/completions (a prompt) or /v1/chat/completions (messages). */
export const ENDPOINT_MODES = ["completions", "chat"] as const;
export type EndpointMode = (typeof ENDPOINT_MODES)[number];

/** How a battle project draws its two policies: every pair alike, or pairs with fewer games so far more often. */
export const BATTLE_SAMPLINGS = ["uniform", "fewer-games"] as const;
export type BattleSampling = (typeof BATTLE_SAMPLINGS)[number];

export const COMPLETION_ORIGINS = ["policy", "import", "correction"] as const;
export type CompletionOrigin = (typeof COMPLETION_ORIGINS)[number];

export const TASK_KINDS = ["pair", "rank", "correction"] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const TASK_STATUSES = ["open", "complete", "flagged", "retired"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Pair outcomes are relative to what the annotator saw (display order), never to policy ids. */
export const PAIR_OUTCOMES = ["left", "right", "tie", "both_bad"] as const;
export type PairOutcome = (typeof PAIR_OUTCOMES)[number];

/** synthetic: made by a cold-start run (drex, trex), never by a person; kept apart from human counts and data unless asked for. */
export const JUDGEMENT_SOURCES = ["human", "import", "synthetic"] as const;
export type JudgementSource = (typeof JUDGEMENT_SOURCES)[number];

export const ASSIGNMENT_STATUSES = ["active", "submitted", "expired", "skipped", "released"] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

export const FLAG_REASONS = ["harmful", "broken", "unreadable", "other"] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];

/** Every kind a run row may hold; trainer/registry.ts says which of them this build can execute. */
export const RUN_KINDS = ["pretrain", "sft", "reward", "dpo", "ipo", "simpo", "orpo", "kto", "ppo", "grpo", "rloo", "sample", "evaluate", "drex", "trex"] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const ARTIFACT_KINDS = ["checkpoint", "onnx", "reward_model", "samples", "log"] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export const REWARD_MODEL_KINDS = ["neural", "linear"] as const;
export type RewardModelKind = (typeof REWARD_MODEL_KINDS)[number];

/** How a project's annotation queue is ordered within a priority band (see server/services/assignment-queue.ts). */
export const QUEUE_ORDERS = ["oldest", "uncertainty", "disagreement"] as const;
export type QueueOrder = (typeof QUEUE_ORDERS)[number];

/** A round of the loop (reward model → policy run → sample run): who started it, where it is, its steps. */
export const ROUND_TRIGGERS = ["auto", "manual"] as const;
export type RoundTrigger = (typeof ROUND_TRIGGERS)[number];
export const ROUND_STATUSES = ["running", "succeeded", "failed"] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];
export const ROUND_STEPS = ["reward", "policy", "sample"] as const;
export type RoundStep = (typeof ROUND_STEPS)[number];

/** arena: Chatbot Arena battles (model_a, model_b, winner, conversation_a/b, judge, tstamp). */
export const IMPORT_FORMATS = ["trl", "hh", "prompts", "completions", "arena"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const EXPORT_FORMATS = ["trl", "trl-conversational", "hh", "ranked", "kto", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
