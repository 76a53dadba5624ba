// The config of a language-model training run (pretrain from scratch, or SFT from a checkpoint),
// validated with zod so the web server can check it without loading TensorFlow.js.
import { z } from "zod";

export const lmRunConfigSchema = z.object({
  /** Training text: one document per line of `file`, or given inline as `texts`. */
  data: z.object({
    file: z.string().optional(),
    /** "lines": every non-empty line is a document; "movie-reviews": tab-separated, text in column 3. */
    format: z.enum(["lines", "movie-reviews"]).default("lines"),
    texts: z.array(z.string()).optional(),
  }).refine((d) => d.file || d.texts?.length, "give data.file or data.texts")
    // The default is the built-in policy's corpus, so `parse({})` gives a runnable config.
    .default({ file: "data/movie-reviews/movieReviewSnippets_GroundTruth.txt", format: "movie-reviews" }),
  /** Start from this policy version (its tokenizer too); null: a fresh model. */
  policyId: z.number().int().positive().nullable().default(null),
  /** Start from this checkpoint directory instead (CLI only: the server refuses paths). */
  baseCheckpoint: z.string().optional(),
  /** Shape of a fresh model (ignored with baseCheckpoint). */
  model: z.object({
    nLayer: z.number().int().min(1).max(48).default(4),
    nEmbd: z.number().int().min(8).max(4096).default(128),
    nHead: z.number().int().min(1).max(64).default(4),
    context: z.number().int().min(8).max(4096).default(64),
    vocabSize: z.number().int().min(260).max(65536).default(2048),
  }).default({ nLayer: 4, nEmbd: 128, nHead: 4, context: 64, vocabSize: 2048 }),
  /** TrainConfig overrides (see trainer/train/config.ts for what each does). */
  train: z.object({
    batchSize: z.number().int().min(1).max(512).optional(),
    blockSize: z.number().int().min(2).optional(),
    maxSteps: z.number().int().min(1).optional(),
    learningRate: z.number().positive().optional(),
    minLearningRate: z.number().min(0).optional(),
    warmupSteps: z.number().int().min(0).optional(),
    weightDecay: z.number().min(0).optional(),
    evalInterval: z.number().int().min(0).optional(),
    seed: z.number().int().optional(),
  }).default({}),
  /** Steps between resumable checkpoints. */
  checkpointEvery: z.number().int().min(1).default(200),
  /** Steps between progress rows. */
  progressEvery: z.number().int().min(1).default(5),
  /** Gradient threads: 2 uses both cores on wasm, at the cost of the web server's share. */
  threads: z.number().int().min(1).max(8).default(1),
});

export type LmRunConfig = z.infer<typeof lmRunConfigSchema>;
