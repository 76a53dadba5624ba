import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import {
  ARTIFACT_KINDS,
  ASSIGNMENT_STATUSES,
  COMPLETION_ORIGINS,
  FLAG_REASONS,
  IMPORT_FORMATS,
  JUDGEMENT_SOURCES,
  PAIR_OUTCOMES,
  POLICY_KINDS,
  QUEUE_ORDERS,
  REWARD_MODEL_KINDS,
  ROUND_STATUSES,
  ROUND_STEPS,
  ROUND_TRIGGERS,
  RUN_KINDS,
  RUN_STATUSES,
  TASK_KINDS,
  TASK_STATUSES,
  USER_ROLES,
  type RunKind,
} from "./enums";
import type { EndpointConfig, ProjectSettings, SamplingParams } from "./types";

// TypeScript keys are camelCase, SQL names snake_case (drizzle's `casing` does the mapping).
// Times are integer milliseconds since the epoch, set by SQLite so every writer agrees.
const createdAt = () =>
  integer({ mode: "timestamp_ms" })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);
const id = () => integer().primaryKey({ autoIncrement: true });

export const users = sqliteTable("users", {
  id: id(),
  username: text().notNull().unique(),
  /** scrypt hash in "scrypt$N$r$p$salt$hash" form; null for accounts that cannot sign in. */
  passwordHash: text(),
  role: text({ enum: USER_ROLES }).notNull(),
  /** Stable pseudonym used in exports so annotators are never named outside preflab. */
  pseudonym: text().notNull().unique(),
  disabled: integer({ mode: "boolean" }).notNull().default(false),
  /** A judge an import brought in (Arena battles): a pseudonym judgements are attributed to, never an account (no password, disabled, not listed). */
  external: integer({ mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
});

export const sessions = sqliteTable("sessions", {
  /** sha256 of the cookie token: a stolen database does not yield live sessions. */
  tokenHash: text().primaryKey(),
  userId: integer()
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  expiresAt: integer({ mode: "timestamp_ms" }).notNull(),
  createdAt: createdAt(),
});

/**
 * Bearer tokens for preflab's OpenAI-compatible endpoint (/v1): made by a researcher, shown once,
 * stored as sha256 like session tokens; they act as their user (disabled users' tokens stop working).
 */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: id(),
    tokenHash: text().notNull(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    /** The token's first characters, so a person can tell their tokens apart. */
    prefix: text().notNull(),
    lastUsedAt: integer({ mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_tokens_hash_uq").on(t.tokenHash), index("api_tokens_user_idx").on(t.userId)],
);

export const projects = sqliteTable("projects", {
  id: id(),
  name: text().notNull().unique(),
  guidelines: text().notNull().default(""),
  settings: text({ mode: "json" }).$type<ProjectSettings>().notNull(),
  createdBy: integer().references(() => users.id),
  createdAt: createdAt(),
});

export const imports = sqliteTable("imports", {
  id: id(),
  projectId: integer()
    .notNull()
    .references(() => projects.id, { onDelete: "cascade" }),
  fileName: text().notNull(),
  format: text({ enum: IMPORT_FORMATS }).notNull(),
  rowsImported: integer().notNull(),
  rowsSkipped: integer().notNull().default(0),
  createdBy: integer().references(() => users.id),
  createdAt: createdAt(),
});

export const prompts = sqliteTable(
  "prompts",
  {
    id: id(),
    projectId: integer()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    text: text().notNull(),
    /** Conversational prompts keep their message list; `text` is then its flattened form. */
    messages: text({ mode: "json" }).$type<ChatMessage[]>(),
    importId: integer().references(() => imports.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("prompts_project_idx").on(t.projectId)],
);

export const policies = sqliteTable("policies", {
  id: id(),
  name: text().notNull(),
  kind: text({ enum: POLICY_KINDS }).notNull(),
  version: integer().notNull().default(1),
  parentId: integer(),
  /** Checkpoint directory (builtin, checkpoint) or null. */
  path: text(),
  /** OpenAI-compatible endpoint for external policies: the base URL (…/v1 is added when missing). */
  endpoint: text(),
  /** External policies: model name, chat or completions, timeout, concurrency, retries. */
  endpointConfig: text({ mode: "json" }).$type<EndpointConfig>(),
  /** The run that produced this policy, if any. */
  runId: integer(),
  /** The project whose judgements trained it (null: shared, e.g. the built-in policy). */
  projectId: integer().references(() => projects.id, { onDelete: "set null" }),
  /** Held-out evaluation written when the run that made it finished (reward, KL, samples). */
  evaluation: text({ mode: "json" }).$type<Record<string, unknown>>(),
  createdAt: createdAt(),
});

/** An external policy's API key, apart from the policy row so that no listing of policies can carry it. */
export const policyApiKeys = sqliteTable("policy_api_keys", {
  policyId: integer()
    .primaryKey()
    .references(() => policies.id, { onDelete: "cascade" }),
  apiKey: text().notNull(),
});

export const completions = sqliteTable(
  "completions",
  {
    id: id(),
    promptId: integer()
      .notNull()
      .references(() => prompts.id, { onDelete: "cascade" }),
    policyId: integer().references(() => policies.id),
    origin: text({ enum: COMPLETION_ORIGINS }).notNull(),
    text: text().notNull(),
    messages: text({ mode: "json" }).$type<ChatMessage[]>(),
    samplingParams: text({ mode: "json" }).$type<SamplingParams>(),
    createdAt: createdAt(),
  },
  (t) => [index("completions_prompt_idx").on(t.promptId)],
);

export const tasks = sqliteTable(
  "tasks",
  {
    id: id(),
    projectId: integer()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    promptId: integer()
      .notNull()
      .references(() => prompts.id, { onDelete: "cascade" }),
    kind: text({ enum: TASK_KINDS }).notNull(),
    /** Completion ids in canonical order; display order is randomised per assignment. */
    completionIds: text({ mode: "json" }).$type<number[]>().notNull(),
    /** Sorted completion ids joined by ",": finds the same unordered set for a prompt. */
    completionSetKey: text().notNull(),
    requiredJudgements: integer().notNull(),
    judgementCount: integer().notNull().default(0),
    flagCount: integer().notNull().default(0),
    status: text({ enum: TASK_STATUSES }).notNull().default("open"),
    isGold: integer({ mode: "boolean" }).notNull().default(false),
    /** For gold tasks: the winning completion id (pair/correction) or the ranking (rank). */
    goldAnswer: text({ mode: "json" }).$type<GoldAnswer>(),
    /** Served before lower priorities (then oldest first): a new policy's samples jump the backlog. */
    priority: integer().notNull().default(0),
    /**
     * Active-learning order within a priority band, higher first: reward-model uncertainty or
     * annotator disagreement, written by a re-scoring pass (core/queue-order.ts), never computed
     * per pick; 0 everywhere keeps the oldest-first order.
     */
    queueScore: real().notNull().default(0),
    /**
     * Made by a cold-start run (drex, trex) together with its synthetic judgement: created complete,
     * so never served, and left out of human counts, statistics and the duplicate-set check.
     */
    synthetic: integer({ mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    // The assignment engine scans open tasks of one kind (gold or not), highest priority first,
    // then highest queue score, then in id order: the index's order, so the walk stops at the
    // first eligible task, no sort.
    index("tasks_queue_idx").on(t.projectId, t.status, t.isGold, sql`${t.priority} desc`, sql`${t.queueScore} desc`, t.id),
    index("tasks_set_idx").on(t.promptId, t.completionSetKey),
    // Export and training walk a project's tasks in id order, in batches: a range scan, not a sort.
    index("tasks_project_id_idx").on(t.projectId, t.id),
    // Synthetic counts read only the (usually no) synthetic tasks of a project.
    index("tasks_synthetic_idx").on(t.projectId, t.id).where(sql`${t.synthetic} = 1`),
  ],
);

export const assignments = sqliteTable(
  "assignments",
  {
    id: id(),
    taskId: integer()
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    annotatorId: integer()
      .notNull()
      .references(() => users.id),
    /** Copied from the task so an annotator's held leases and progress count from one index. */
    projectId: integer()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** Completion ids left to right (or top to bottom) as this annotator sees them. */
    displayOrder: text({ mode: "json" }).$type<number[]>().notNull(),
    status: text({ enum: ASSIGNMENT_STATUSES }).notNull().default("active"),
    skipReason: text(),
    leasedAt: createdAt(),
    expiresAt: integer({ mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    uniqueIndex("assignments_task_annotator_uq").on(t.taskId, t.annotatorId),
    index("assignments_annotator_idx").on(t.annotatorId, t.projectId, t.status),
  ],
);

export const judgements = sqliteTable(
  "judgements",
  {
    id: id(),
    taskId: integer()
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    /** Null for judgements that came in with an imported dataset (see importId) or were synthetic (see runId); an imported Arena battle's names its external judge. */
    annotatorId: integer().references(() => users.id),
    importId: integer().references(() => imports.id, { onDelete: "set null" }),
    source: text({ enum: JUDGEMENT_SOURCES }).notNull(),
    /** The run that generated a synthetic judgement (drex, trex); null for people's and imports. */
    runId: integer().references(() => trainingRuns.id),
    outcome: text({ enum: PAIR_OUTCOMES }),
    /** 1 slightly, 2 clearly, 3 much better; null for ties, both-bad and imports without one. */
    strength: integer(),
    /** Rank tasks: groups of completion ids, best first; a group of several is a tie. */
    ranking: text({ mode: "json" }).$type<number[][]>(),
    /** Correction tasks: the completion chosen as better and the text it was edited into. */
    chosenCompletionId: integer().references(() => completions.id),
    correctedCompletionId: integer().references(() => completions.id),
    rationale: text(),
    /** Active seconds the client measured, clamped to the server's; the server's when none came. */
    secondsOnTask: real(),
    /** Wall-clock seconds from lease to submission, measured by the server (includes idling). */
    serverSecondsOnTask: real(),
    /** Gold tasks: whether this judgement matched the known answer; null elsewhere. */
    goldCorrect: integer({ mode: "boolean" }),
    displayOrder: text({ mode: "json" }).$type<number[]>().notNull(),
    /** Client-supplied key: a retried submission never creates a second judgement. */
    idempotencyKey: text(),
    /** Set when the annotator undid this judgement; undone judgements derive no pairs. */
    undoneAt: integer({ mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("judgements_idempotency_uq").on(t.annotatorId, t.idempotencyKey),
    index("judgements_task_idx").on(t.taskId),
    index("judgements_annotator_idx").on(t.annotatorId, t.createdAt),
  ],
);

export const flags = sqliteTable(
  "flags",
  {
    id: id(),
    taskId: integer()
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    annotatorId: integer()
      .notNull()
      .references(() => users.id),
    reason: text({ enum: FLAG_REASONS }).notNull(),
    note: text(),
    createdAt: createdAt(),
  },
  // One flag per person per task: retirement counts people, not clicks.
  (t) => [uniqueIndex("flags_task_annotator_uq").on(t.taskId, t.annotatorId)],
);

export const trainingRuns = sqliteTable(
  "training_runs",
  {
    id: id(),
    projectId: integer().references(() => projects.id, { onDelete: "set null" }),
    kind: text({ enum: RUN_KINDS }).notNull(),
    status: text({ enum: RUN_STATUSES }).notNull().default("queued"),
    /** The validated run config (kind-specific), stored as given so a run can be repeated. */
    config: text({ mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** Base policy the run starts from, if any. */
    basePolicyId: integer().references(() => policies.id),
    backend: text(),
    step: integer().notNull().default(0),
    totalSteps: integer(),
    lastCheckpoint: text(),
    cancelRequested: integer({ mode: "boolean" }).notNull().default(false),
    error: text(),
    attempts: integer().notNull().default(0),
    workerPid: integer(),
    heartbeatAt: integer({ mode: "timestamp_ms" }),
    createdBy: integer().references(() => users.id),
    createdAt: createdAt(),
    startedAt: integer({ mode: "timestamp_ms" }),
    finishedAt: integer({ mode: "timestamp_ms" }),
  },
  (t) => [index("training_runs_status_idx").on(t.status, t.id)],
);

export const runEvents = sqliteTable(
  "run_events",
  {
    id: id(),
    runId: integer()
      .notNull()
      .references(() => trainingRuns.id, { onDelete: "cascade" }),
    step: integer().notNull(),
    loss: real(),
    metrics: text({ mode: "json" }).$type<Record<string, number>>(),
    tokensPerSecond: real(),
    etaSeconds: real(),
    message: text(),
    createdAt: createdAt(),
  },
  (t) => [index("run_events_run_idx").on(t.runId, t.step)],
);

export const runArtifacts = sqliteTable("run_artifacts", {
  id: id(),
  runId: integer()
    .notNull()
    .references(() => trainingRuns.id, { onDelete: "cascade" }),
  kind: text({ enum: ARTIFACT_KINDS }).notNull(),
  path: text().notNull(),
  step: integer(),
  metadata: text({ mode: "json" }).$type<Record<string, unknown>>(),
  createdAt: createdAt(),
});

export const rewardModels = sqliteTable("reward_models", {
  id: id(),
  projectId: integer().references(() => projects.id, { onDelete: "set null" }),
  runId: integer().references(() => trainingRuns.id),
  name: text().notNull(),
  kind: text({ enum: REWARD_MODEL_KINDS }).notNull(),
  path: text().notNull(),
  metrics: text({ mode: "json" }).$type<Record<string, number>>(),
  /** Stored so PPO can normalise rewards to zero mean and unit variance. */
  rewardMean: real(),
  rewardStd: real(),
  createdAt: createdAt(),
});

/**
 * One policy against a base, as an `evaluate` run measured it on the same held-out prompts:
 * reward-model alignment accuracy, mean reward, KL to the base, and a few samples side by side.
 */
export const evaluations = sqliteTable(
  "evaluations",
  {
    id: id(),
    projectId: integer()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    runId: integer()
      .notNull()
      .references(() => trainingRuns.id, { onDelete: "cascade" }),
    basePolicyId: integer()
      .notNull()
      .references(() => policies.id),
    policyId: integer()
      .notNull()
      .references(() => policies.id),
    /** Null when the project had no reward model: the reward columns stay empty. */
    rewardModelId: integer().references(() => rewardModels.id, { onDelete: "set null" }),
    /** The prompts both sides continued (the human comparison samples the same ones). */
    promptIds: text({ mode: "json" }).$type<number[]>().notNull(),
    metrics: text({ mode: "json" }).$type<Record<string, number | null>>().notNull(),
    samples: text({ mode: "json" }).$type<Array<Record<string, unknown>>>().notNull(),
    /** The `sample` run that sent this policy's and the base's answers to annotators as blind pairs. */
    humanRunId: integer().references(() => trainingRuns.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("evaluations_project_idx").on(t.projectId, t.id), index("evaluations_run_idx").on(t.runId)],
);

/**
 * How a project's queue is currently ordered (one row per project that ever chose an order): what
 * the last re-scoring pass used and scored, and whether the worker still has to score it (neural
 * reward models run on TensorFlow.js, which never loads in the web server).
 */
export const queueOrderings = sqliteTable("queue_orderings", {
  projectId: integer()
    .primaryKey()
    .references(() => projects.id, { onDelete: "cascade" }),
  queueOrder: text({ enum: QUEUE_ORDERS }).notNull(),
  rewardModelId: integer().references(() => rewardModels.id, { onDelete: "set null" }),
  /** True until the worker has scored the queue with the (neural) reward model. */
  pending: integer({ mode: "boolean" }).notNull().default(false),
  tasksScored: integer().notNull().default(0),
  /** Why the queue is not (yet) in the chosen order, e.g. no reward model so far. */
  note: text(),
  scoredAt: integer({ mode: "timestamp_ms" }),
});

/**
 * One round of a project's loop (reward model → policy run → sample run), the lab notebook's page:
 * the judgements it started on, the configs, each step's run and what it produced, and results.
 * At most one round of a project runs at a time (partial unique index).
 */
export const rounds = sqliteTable(
  "rounds",
  {
    id: id(),
    projectId: integer()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** 1, 2, 3 … within the project. */
    number: integer().notNull(),
    trigger: text({ enum: ROUND_TRIGGERS }).notNull(),
    status: text({ enum: ROUND_STATUSES }).notNull().default("running"),
    /** The step running now, the one that failed, or the last one (sample) once succeeded. */
    step: text({ enum: ROUND_STEPS }).notNull(),
    /** Human judgements that arrived since the previous round (ids in (judgementIdFrom, judgementIdTo]). */
    judgementsNew: integer().notNull(),
    /** Human judgements of the project up to judgementIdTo: the data the round's runs started on. */
    judgementsTotal: integer().notNull(),
    judgementIdFrom: integer(),
    judgementIdTo: integer(),
    /** The validated configs of the three steps, as the round started them; null when they were invalid (see error). */
    configs: text({ mode: "json" }).$type<RoundConfigs>(),
    rewardRunId: integer().references(() => trainingRuns.id, { onDelete: "set null" }),
    rewardModelId: integer().references(() => rewardModels.id, { onDelete: "set null" }),
    /** The policy the policy run started from (the project's newest when it was queued). */
    startPolicyId: integer().references(() => policies.id),
    policyRunId: integer().references(() => trainingRuns.id, { onDelete: "set null" }),
    /** The policy version the round produced. */
    policyId: integer().references(() => policies.id),
    sampleRunId: integer().references(() => trainingRuns.id, { onDelete: "set null" }),
    /** Reward-model test metrics, the policy's held-out evaluation, tasks created. */
    results: text({ mode: "json" }).$type<RoundResults>().notNull().default({}),
    error: text(),
    createdBy: integer().references(() => users.id),
    createdAt: createdAt(),
    finishedAt: integer({ mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("rounds_project_number_uq").on(t.projectId, t.number),
    // Two submissions racing past the trigger cannot both start a round.
    uniqueIndex("rounds_one_running_uq").on(t.projectId).where(sql`${t.status} = 'running'`),
  ],
);

/**
 * A live battle's turn between its answers and its vote: the conversation two policies answered
 * and what each said, written only once both answers are complete (a failed answer voids the
 * battle and writes nothing). The vote turns it into a prompt, two completions, a finished pair
 * task and its judgement in one transaction (taskId); the policies stay on the server until then.
 */
export const battles = sqliteTable(
  "battles",
  {
    id: id(),
    projectId: integer()
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    annotatorId: integer()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** A project prompt the annotator picked for the first turn (its row is reused); null when written. */
    promptId: integer().references(() => prompts.id, { onDelete: "set null" }),
    /** The voted turn this one follows up (the conversation continues from its preferred answer). */
    previousBattleId: integer(),
    /** The conversation both answered, ending with the user's message. */
    messages: text({ mode: "json" }).$type<ChatMessage[]>().notNull(),
    leftPolicyId: integer()
      .notNull()
      .references(() => policies.id, { onDelete: "cascade" }),
    rightPolicyId: integer()
      .notNull()
      .references(() => policies.id, { onDelete: "cascade" }),
    leftText: text().notNull(),
    rightText: text().notNull(),
    leftParams: text({ mode: "json" }).$type<SamplingParams>(),
    rightParams: text({ mode: "json" }).$type<SamplingParams>(),
    taskId: integer().references(() => tasks.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    votedAt: integer({ mode: "timestamp_ms" }),
  },
  (t) => [index("battles_annotator_idx").on(t.annotatorId, t.createdAt)],
);

export const datasetSnapshots = sqliteTable("dataset_snapshots", {
  id: id(),
  projectId: integer()
    .notNull()
    .references(() => projects.id, { onDelete: "cascade" }),
  format: text().notNull(),
  filters: text({ mode: "json" }).$type<Record<string, unknown>>().notNull(),
  rowCount: integer().notNull(),
  sha256: text().notNull(),
  createdBy: integer().references(() => users.id),
  createdAt: createdAt(),
});

export interface ChatMessage {
  role: string;
  content: string;
}

/** A round's step configs: each validated against its run kind's schema when the round started. */
export interface RoundConfigs {
  reward: Record<string, unknown>;
  policy: { kind: RunKind; config: Record<string, unknown> };
  sample: Record<string, unknown>;
}

export interface RoundResults {
  reward?: Record<string, number>;
  policy?: Record<string, number>;
  sample?: { tasksCreated: number; prompts: number };
}

export type GoldAnswer = { winner: number } | { ranking: number[][] };
