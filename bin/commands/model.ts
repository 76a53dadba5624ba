import fs from "node:fs";
import type { Command } from "commander";
import type { LogprobItem } from "../../trainer/logprobs";
import { resolveModelArg } from "./model-arg";
import { contextField, contextLength } from "../../trainer/models/model-config";
import { TRAINING_ENGINES } from "../../trainer/onnx-train/engine-choice";

// Trainer modules load TensorFlow.js; import them lazily so other commands start fast.
const int = (v: string) => Number.parseInt(v, 10);
const num = (v: string) => Number.parseFloat(v);

/** Loads a checkpoint (directory or policy id) on the best tfjs backend (errors name the file, see CheckpointError). */
async function load(model: string) {
  const dir = resolveModelArg(model);
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
    .description("log-probabilities: each token of --text (one JSON object), or each completion of --input given its prompt (one JSON line each, in order)")
    .requiredOption("--model <dir|id>", "checkpoint directory (HF GPT-2, Llama or Qwen2 layout) or policy id")
    .option("--text <text>", "text to score token by token")
    .option("--input <file>", 'JSONL of {"prompt", "completion"} ("-": stdin); prints {"logprob", "tokens"} per line: the summed completion log-prob, as DPO uses it')
    .option("--batch-size <n>", "sequences per forward pass, with --input", int, 8)
    .action(async (o: { model: string; text?: string; input?: string; batchSize: number }) => {
      if ((o.text === undefined) === (o.input === undefined)) throw new Error("model logprobs: give exactly one of --text and --input");
      if (!(o.batchSize >= 1)) throw new Error("model logprobs: --batch-size must be a positive integer");
      if (o.input !== undefined) return scoreCompletions(o.model, o.input, o.batchSize);
      const { textLogprobs } = await import("../../trainer/logprobs");
      const out = textLogprobs(await load(o.model), o.text!);
      process.stdout.write(`${JSON.stringify({ tokens: out.tokens, token_ids: out.tokenIds, logprobs: out.logprobs })}\n`);
    });
}

interface InputLine extends LogprobItem {
  line: number;
}

/** A {prompt, completion} object, or why not. */
function parseInputLine(text: string): LogprobItem | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const row = value as Record<string, unknown>;
  for (const key of ["prompt", "completion"]) {
    if (!(key in row)) return `"${key}" is missing`;
    if (typeof row[key] !== "string") return `"${key}" is ${row[key] === null ? "null" : `a ${typeof row[key]}`}, not a string`;
  }
  return { prompt: row.prompt as string, completion: row.completion as string };
}

/** Throws one error listing the first bad lines, so a file is scored whole or not at all. */
function failOnBadLines(name: string, bad: string[]): void {
  if (bad.length === 0) return;
  const shown = bad.slice(0, 10).map((b) => `${name}:${b}`);
  if (bad.length > 10) shown.push(`... and ${bad.length - 10} more`);
  throw new Error(`${name}: ${bad.length} bad line(s), nothing scored\n${shown.join("\n")}`);
}

/** Non-blank lines of a JSONL file ("-": stdin), each with its 1-based line number. */
function readInputLines(file: string): { name: string; items: InputLine[] } {
  const name = file === "-" ? "stdin" : file;
  if (file !== "-" && !fs.existsSync(file)) throw new Error(`no such file: ${file}`);
  const items: InputLine[] = [];
  const bad: string[] = [];
  fs.readFileSync(file === "-" ? 0 : file, "utf8").split("\n").forEach((text, i) => {
    if (text.trim() === "") return;
    const parsed = parseInputLine(text);
    if (typeof parsed === "string") bad.push(`${i + 1}: ${parsed}`);
    else items.push({ line: i + 1, ...parsed });
  });
  failOnBadLines(name, bad);
  return { name, items };
}

/** `model logprobs --input`: one ONNX Runtime session, batched; validates every line before printing any. */
async function scoreCompletions(model: string, file: string, batchSize: number): Promise<void> {
  const { name, items } = readInputLines(file);
  const { openOnnxCheckpoint } = await import("../../trainer/onnx/checkpoint");
  const { computeLogprobsOnnx } = await import("../../trainer/onnx/logprobs");
  const { encodePrompt } = await import("../../trainer/tokenizer/sequence-start");
  const onnx = await openOnnxCheckpoint(resolveModelArg(model));
  try {
    const context = contextLength(onnx.config);
    const bad = items.flatMap((item) => {
      // The prompt as computeLogprobsOnnx lays it out: the tokenizer's sequence start (BOS), or eos for an empty GPT-2 prompt.
      const tokens = encodePrompt(onnx.tokenizer, item.prompt).length + onnx.tokenizer.encode(item.completion).length;
      return tokens > context ? [`${item.line}: prompt + completion are ${tokens} tokens, longer than the model's context of ${context} (${contextField(onnx.config)})`] : [];
    });
    failOnBadLines(name, bad);
    const results = await computeLogprobsOnnx(onnx, items, batchSize);
    process.stdout.write(results.map((r) => `${JSON.stringify({ logprob: r.total, tokens: r.tokenIds.length })}\n`).join(""));
  } finally {
    await onnx.lm.release();
  }
}

function registerSample(program: Command): void {
  program
    .command("sample")
    .description("sample continuations of a prompt; prints one JSON object per sample")
    .requiredOption("--model <dir|id>", "checkpoint directory (HF GPT-2, Llama or Qwen2 layout) or policy id")
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
    .option("--threads <n>", "threads computing gradients on TensorFlow.js (2 uses both cores with wasm)", int, 1)
    .option("--engine <engine>", "auto (ONNX Runtime when it can train the model), onnx, gpu, node, wasm or cpu", "auto")
    .action(async (o) => {
      if (!(TRAINING_ENGINES as readonly string[]).includes(o.engine)) throw new Error(`pretrain: --engine must be one of ${TRAINING_ENGINES.join(", ")}`);
      const { pretrain } = await import("../../trainer/pretrain");
      await pretrain({
        out: o.out, data: o.data, vocabSize: o.vocabSize, nLayer: o.layers, nEmbd: o.width, nHead: o.heads,
        context: o.context, maxMinutes: o.maxMinutes, saveEvery: o.saveEvery, threads: o.threads, engine: o.engine,
        train: { batchSize: o.batch, maxSteps: o.steps, learningRate: o.lr, minLearningRate: o.lr / 10, seed: o.seed },
      });
    });
}
