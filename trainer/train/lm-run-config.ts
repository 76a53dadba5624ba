// The config of a language-model training run (pretrain from scratch, or SFT from a checkpoint),
// validated with zod so the web server can check it without loading TensorFlow.js.
import { z } from "zod";
import { ENGINE_DESCRIPTION, TRAINING_ENGINES } from "../onnx-train/engine-choice";

export const lmRunConfigSchema = z.object({
  data: z.object({
    file: z.string().optional().describe("Text file, one document per line (CLI only: the server refuses paths)"),
    format: z.enum(["lines", "movie-reviews"]).default("lines").describe("lines: every non-empty line is a document; movie-reviews: tab-separated, text in column 3"),
    texts: z.array(z.string()).optional().describe("Documents given inline instead of a file"),
  }).refine((d) => d.file || d.texts?.length, "give data.file or data.texts")
    // The default is the built-in policy's corpus, so `parse({})` gives a runnable config.
    .default({ file: "data/movie-reviews/movieReviewSnippets_GroundTruth.txt", format: "movie-reviews" })
    .describe("Training text: the lines of a file, or texts given inline"),
  policyId: z.number().int().positive().nullable().default(null).describe("Start from this policy version (its tokenizer too); null: a fresh model"),
  baseCheckpoint: z.string().optional().describe("Start from this checkpoint directory instead (CLI only: the server refuses paths)"),
  model: z.object({
    nLayer: z.number().int().min(1).max(48).default(4).describe("Transformer blocks"),
    nEmbd: z.number().int().min(8).max(4096).default(128).describe("Width of the residual stream"),
    nHead: z.number().int().min(1).max(64).default(4).describe("Attention heads per block (divides the width)"),
    context: z.number().int().min(8).max(4096).default(64).describe("Positions the model can attend over"),
    vocabSize: z.number().int().min(260).max(65536).default(2048).describe("Tokens in the byte-level BPE vocabulary trained on the data"),
  }).default({ nLayer: 4, nEmbd: 128, nHead: 4, context: 64, vocabSize: 2048 }).describe("Shape of a fresh model (ignored when starting from a policy or checkpoint)"),
  train: z.object({
    batchSize: z.number().int().min(1).max(512).optional().describe("Sequences per optimizer step (default 8)"),
    blockSize: z.number().int().min(2).optional().describe("Tokens per sequence, at most the context (default: the context)"),
    maxSteps: z.number().int().min(1).optional().describe("Optimizer steps in total (default 1000)"),
    learningRate: z.number().positive().optional().describe("Peak learning rate after warm-up (default 3e-3)"),
    minLearningRate: z.number().min(0).optional().describe("Floor of the cosine decay (default 3e-4)"),
    warmupSteps: z.number().int().min(0).optional().describe("Linear warm-up steps (default 50)"),
    weightDecay: z.number().min(0).optional().describe("AdamW decoupled decay on matrices and embeddings (default 0.1)"),
    evalInterval: z.number().int().min(0).optional().describe("Validation loss every this many steps, 0 never (default 100)"),
    seed: z.number().int().optional().describe("Seed of initialization and batch sampling (default 1337)"),
  }).default({}).describe("Training-loop overrides (trainer/train/config.ts has the defaults)"),
  checkpointEvery: z.number().int().min(1).default(200).describe("Steps between resumable checkpoints"),
  progressEvery: z.number().int().min(1).default(5).describe("Steps between progress rows"),
  threads: z.number().int().min(1).max(8).default(1).describe("Gradient threads: 2 uses both cores on wasm, at the cost of the web server's share (TensorFlow.js engines only; ONNX Runtime uses every core)"),
  engine: z.enum(TRAINING_ENGINES).default("auto").describe(ENGINE_DESCRIPTION),
});

export type LmRunConfig = z.infer<typeof lmRunConfigSchema>;
