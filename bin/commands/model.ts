import type { Command } from "commander";

// Trainer modules load TensorFlow.js; import them lazily so other commands start fast.
const int = (v: string) => Number.parseInt(v, 10);
const num = (v: string) => Number.parseFloat(v);

/** Registers `model logprobs`, `sample` and `pretrain`. */
export function register(program: Command): void {
  program
    .command("pretrain")
    .description("pretrain the built-in policy (small GPT-2) on the movie-review snippets")
    .option("--out <dir>", "checkpoint directory to write", "models/builtin")
    .option("--data <file>", "movie-review snippets file", "data/movie-reviews/movieReviewSnippets_GroundTruth.txt")
    .option("--vocab-size <n>", "BPE vocabulary size", int, 2048)
    .option("--layers <n>", "transformer blocks", int, 4)
    .option("--width <n>", "embedding width", int, 128)
    .option("--heads <n>", "attention heads", int, 4)
    .option("--context <n>", "context length", int, 64)
    .option("--batch <n>", "sequences per step", int, 16)
    .option("--steps <n>", "optimizer steps", int, 3000)
    .option("--lr <x>", "peak learning rate", num, 3e-3)
    .option("--max-minutes <x>", "wall-clock budget (the LR schedule follows it)", num)
    .option("--save-every <n>", "steps between intermediate checkpoints", int, 200)
    .option("--seed <n>", "random seed", int, 1337)
    .action(async (o) => {
      const { pretrain } = await import("../../trainer/pretrain");
      await pretrain({
        out: o.out, data: o.data, vocabSize: o.vocabSize, nLayer: o.layers, nEmbd: o.width, nHead: o.heads,
        context: o.context, maxMinutes: o.maxMinutes, saveEvery: o.saveEvery,
        train: { batchSize: o.batch, maxSteps: o.steps, learningRate: o.lr, minLearningRate: o.lr / 10, seed: o.seed },
      });
    });
}
