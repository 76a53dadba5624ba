import type { Command } from "commander";

// Trainer modules load TensorFlow.js; import them lazily so other commands start fast.
const int = (v: string) => Number.parseInt(v, 10);
const num = (v: string) => Number.parseFloat(v);

/** Loads a checkpoint on the best tfjs backend (errors name the file, see CheckpointError). */
async function load(dir: string) {
  const { initBackend } = await import("../../trainer/backend");
  const { loadLanguageModel } = await import("../../trainer/language-model");
  await initBackend();
  return loadLanguageModel(dir);
}

/** Registers `model logprobs`, `sample` and `pretrain`. */
export function register(program: Command): void {
  registerLogprobs(program);
  registerSample(program);
  registerPretrain(program);
}

function registerLogprobs(program: Command): void {
  program
    .command("model")
    .description("inspect a checkpoint")
    .command("logprobs")
    .description("print each token's log-probability given the ones before it, as one JSON object")
    .requiredOption("--model <dir>", "checkpoint directory (HF GPT-2 layout)")
    .requiredOption("--text <text>", "text to score")
    .action(async (o) => {
      const { textLogprobs } = await import("../../trainer/logprobs");
      const out = textLogprobs(await load(o.model), o.text);
      process.stdout.write(`${JSON.stringify({ tokens: out.tokens, token_ids: out.tokenIds, logprobs: out.logprobs })}\n`);
    });
}

function registerSample(program: Command): void {
  program
    .command("sample")
    .description("sample continuations of a prompt; prints one JSON object per sample")
    .requiredOption("--model <dir>", "checkpoint directory (HF GPT-2 layout)")
    .requiredOption("--prompt <text>", "text to continue")
    .option("--n <n>", "number of samples", int, 1)
    .option("--temperature <t>", "softmax temperature, 0: greedy (default: the model's generation_config.json, else 1)", num)
    .option("--top-p <p>", "nucleus sampling mass (default: generation_config.json, else 1)", num)
    .option("--top-k <k>", "keep the k most likely tokens, 0: all (default: generation_config.json, else 0)", int)
    .option("--max-new-tokens <n>", "token budget per sample (default: generation_config.json, else 48)", int)
    .option("--stop <text...>", "stop strings")
    .option("--seed <s>", "random seed", int, 0)
    .action(async (o) => {
      const { generate } = await import("../../trainer/generate");
      const model = await load(o.model);
      const prompts = Array.from({ length: o.n }, () => o.prompt);
      const g = model.generationConfig as { temperature?: number; top_p?: number; top_k?: number; max_new_tokens?: number };
      const samples = generate(model, prompts, {
        temperature: o.temperature ?? g.temperature ?? 1, topP: o.topP ?? g.top_p ?? 1, topK: o.topK ?? g.top_k ?? 0,
        maxNewTokens: o.maxNewTokens ?? g.max_new_tokens ?? 48, stop: o.stop ?? [], seed: o.seed,
      });
      for (const s of samples) {
        process.stdout.write(`${JSON.stringify({ text: s.text, token_ids: s.tokenIds, logprobs: s.logprobs, finish_reason: s.finishReason })}\n`);
      }
    });
}

function registerPretrain(program: Command): void {
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
    .option("--threads <n>", "threads computing gradients (2 uses both cores with wasm)", int, 1)
    .action(async (o) => {
      const { pretrain } = await import("../../trainer/pretrain");
      await pretrain({
        out: o.out, data: o.data, vocabSize: o.vocabSize, nLayer: o.layers, nEmbd: o.width, nHead: o.heads,
        context: o.context, maxMinutes: o.maxMinutes, saveEvery: o.saveEvery, threads: o.threads,
        train: { batchSize: o.batch, maxSteps: o.steps, learningRate: o.lr, minLearningRate: o.lr / 10, seed: o.seed },
      });
    });
}
