import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { policies } from "../../db/schema";
import { createTestDb, writeTempFile } from "../../db/testing";
import { initBackend } from "../../trainer/backend";
import { saveCheckpoint } from "../../trainer/checkpoint/tfjs";
import { disposeLanguageModel, loadLanguageModel, type LanguageModel } from "../../trainer/language-model";
import { computeLogprobs, textLogprobs, type LogprobItem } from "../../trainer/logprobs";
import { writeTinyLlamaCheckpoint } from "../../trainer/models/llama-fixtures";
import { tinyLanguageModel } from "../../trainer/test-fixtures";
import { preflab } from "./cli.fixtures";
import { resolveModelArg } from "./model-arg";

const dir = join(mkdtempSync(join(tmpdir(), "preflab-cli-")), "model");
/** Runs the CLI on tfjs's cpu backend (awaited: see cli.fixtures.ts); `env` adds variables, `input` is stdin. */
const run = (args: string[], options: { env?: Record<string, string>; input?: string } = {}) =>
  preflab(null, args, 120_000, { input: options.input, env: { PREFLAB_TF_BACKEND: "cpu", ...options.env } });
/** Its stdout, failing the test on a non-zero exit. */
async function cli(...args: string[]): Promise<string> {
  const out = await run(args);
  expect(out.code, out.stderr).toBe(0);
  return out.stdout;
}
const jsonl = (rows: unknown[]) => rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n");

let model: ReturnType<typeof tinyLanguageModel>;
beforeAll(async () => {
  await initBackend("cpu");
  model = tinyLanguageModel(4);
  saveCheckpoint(dir, { config: model.config, params: model.params, tokenizerJson: model.tokenizerJson, eosId: model.tokenizer.eosId });
});

describe("preflab model / sample", () => {
  let want: ReturnType<typeof textLogprobs>;
  beforeAll(() => {
    want = textLogprobs(model, "the film was great");
  });

  it("model logprobs prints one JSON object with a null first log-prob", async () => {
    const out = JSON.parse(await cli("model", "logprobs", "--model", dir, "--text", "the film was great"));
    expect(Object.keys(out)).toEqual(["tokens", "token_ids", "logprobs"]);
    expect(out.token_ids).toEqual(want.tokenIds);
    expect(out.tokens).toEqual(want.tokens);
    expect(out.logprobs[0]).toBeNull();
    out.logprobs.slice(1).forEach((lp: number, i: number) => expect(lp).toBeCloseTo(want.logprobs[i + 1] as number, 4));
  });

  it("sample prints one JSON line per sample; a bad directory is one clear line", async () => {
    const args = ["sample", "--model", dir, "--prompt", "the", "--n", "2", "--max-new-tokens", "5", "--seed", "3", "--temperature", "0.8"];
    const lines = (await cli(...args)).trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0])).toHaveProperty("token_ids");
    const bad = await preflab(null, ["sample", "--model", join(dir, "nope"), "--prompt", "x"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(`preflab: ${join(dir, "nope")}: is not a directory`);
  });
});

const items: LogprobItem[] = [
  { prompt: "the movie", completion: " was great" },
  { prompt: "", completion: "a weak plot" }, // empty prompt: eos as BOS
  { prompt: "what a film!", completion: "" },
  { prompt: "a great cast and", completion: " a weak plot and the film was not good" },
];

/** `model logprobs --input` output against tfjs computeLogprobs: same order, sums within 1e-4, same token counts. */
function expectMatchesTfjs(stdout: string, scored: LogprobItem[]): void {
  const want = computeLogprobs(model, scored);
  const got = stdout.trim().split("\n").map((line) => JSON.parse(line));
  expect(got).toHaveLength(scored.length);
  got.forEach((row, i) => {
    expect(Object.keys(row)).toEqual(["logprob", "tokens"]);
    expect(row.tokens).toBe(want[i].tokenIds.length);
    expect(Math.abs(row.logprob - want[i].total)).toBeLessThan(1e-4);
  });
}

describe("preflab model logprobs --input", () => {
  it("prints one {logprob, tokens} line per input line, in order, equal to the tfjs completion sums", async () => {
    const file = writeTempFile("pairs.jsonl", `${jsonl(items)}\n\n`); // blank lines are skipped
    expectMatchesTfjs(await cli("model", "logprobs", "--model", dir, "--input", file, "--batch-size", "2"), items);
  });

  it("reads stdin for -", async () => {
    const out = await run(["model", "logprobs", "--model", dir, "--input", "-"], { input: jsonl(items) });
    expect(out.stderr).toBe("");
    expectMatchesTfjs(out.stdout, items);
  });

  it("names every bad line and its reason, and prints nothing for the file", async () => {
    const file = writeTempFile("bad.jsonl", jsonl([items[0], "{oops", { prompt: "a" }, { prompt: 3, completion: "b" }, [1], items[1]]));
    const out = await run(["model", "logprobs", "--model", dir, "--input", file]);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toContain(`${file}: 4 bad line(s), nothing scored`);
    expect(out.stderr).toMatch(new RegExp(`${file}:2: not valid JSON`));
    expect(out.stderr).toContain(`${file}:3: "completion" is missing`);
    expect(out.stderr).toContain(`${file}:4: "prompt" is a number, not a string`);
    expect(out.stderr).toContain(`${file}:5: not a JSON object`);
  });

  it("rejects a line longer than the model's context, by number, before scoring any", async () => {
    const long = { prompt: "the film", completion: " was great".repeat(20) };
    const out = await run(["model", "logprobs", "--model", dir, "--input", "-"], { input: jsonl([items[0], long]) });
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(/stdin:2: prompt \+ completion are \d+ tokens, longer than the model's context of 32 \(n_positions\)/);
  });

  it("takes exactly one of --text and --input", async () => {
    for (const extra of [[], ["--text", "a", "--input", "-"]]) {
      const out = await run(["model", "logprobs", "--model", dir, ...extra]);
      expect(out.code).toBe(1);
      expect(out.stderr.trim()).toBe("preflab: model logprobs: give exactly one of --text and --input");
    }
  });
});

describe("--model <policy id>", () => {
  const saved = process.env.PREFLAB_DB;
  afterEach(() => {
    if (saved === undefined) delete process.env.PREFLAB_DB;
    else process.env.PREFLAB_DB = saved;
  });

  it("resolves a policy id to its checkpoint directory in PREFLAB_DB, for logprobs and sample", async () => {
    const { db, file } = createTestDb();
    const id = String(db.insert(policies).values({ name: "tiny", kind: "checkpoint", path: dir }).returning().get().id);
    process.env.PREFLAB_DB = file;
    expect(resolveModelArg(id)).toBe(dir);
    const env = { PREFLAB_DB: file };
    const scored = await run(["model", "logprobs", "--model", id, "--input", "-"], { env, input: jsonl(items.slice(0, 2)) });
    expect(scored.stderr).toBe("");
    expectMatchesTfjs(scored.stdout, items.slice(0, 2));
    const sampled = await run(["sample", "--model", id, "--prompt", "the", "--max-new-tokens", "2"], { env });
    expect(sampled.code).toBe(0); // (stderr holds tfjs's banner)
    expect(JSON.parse(sampled.stdout)).toHaveProperty("token_ids");
  });

  it("explains an unknown id, a policy without a checkpoint and a missing database", async () => {
    const { db, file } = createTestDb();
    const external = db.insert(policies).values({ name: "vllm", kind: "external", endpoint: "http://localhost:8000/v1" }).returning().get().id;
    process.env.PREFLAB_DB = file;
    expect(() => resolveModelArg("9999")).toThrow(`no directory "9999" and no policy with id 9999 in ${file}`);
    expect(() => resolveModelArg(String(external))).toThrow(`policy ${external} (vllm v1) has no checkpoint directory: it is served from http://localhost:8000/v1`);
    process.env.PREFLAB_DB = join(dir, "absent.db");
    expect(() => resolveModelArg("1")).toThrow(/no database at .*absent\.db/);
    expect(resolveModelArg(dir)).toBe(dir); // directories and other paths pass through untouched
  });
});

describe("preflab model logprobs on a Llama-family checkpoint", () => {
  const llamaDir = join(mkdtempSync(join(tmpdir(), "preflab-cli-llama-")), "qwen2");
  let llama: LanguageModel;
  beforeAll(() => {
    writeTinyLlamaCheckpoint(llamaDir, "qwen2", 5);
    llama = loadLanguageModel(llamaDir);
  });
  afterAll(() => disposeLanguageModel(llama));

  it("--text (tfjs) and --input (ONNX Runtime, GQA cache) score as the loaded model does; the context error names max_position_embeddings", async () => {
    const want = textLogprobs(llama, "the cast was great");
    const text = await preflab(null, ["model", "logprobs", "--model", llamaDir, "--text", "the cast was great"]);
    const out = JSON.parse(text.stdout);
    expect(out.token_ids).toEqual(want.tokenIds);
    out.logprobs.slice(1).forEach((lp: number, i: number) => expect(lp).toBeCloseTo(want.logprobs[i + 1] as number, 4));
    const scored = [{ prompt: "a great movie", completion: ", a great cast" }, { prompt: "", completion: "the plot was thin" }];
    const wantSums = computeLogprobs(llama, scored);
    const tooLong = writeTempFile("llama-long.jsonl", jsonl([...scored, { prompt: "the plot", completion: " was thin".repeat(40) }]));
    const refused = await preflab(null, ["model", "logprobs", "--model", llamaDir, "--input", tooLong]);
    expect(refused.stderr).toMatch(/:3: prompt \+ completion are \d+ tokens, longer than the model's context of 64 \(max_position_embeddings\)/);
    const ok = await preflab(null, ["model", "logprobs", "--model", llamaDir, "--input", writeTempFile("llama.jsonl", jsonl(scored))]);
    expect(ok.stderr).toBe("");
    ok.stdout.trim().split("\n").map((line) => JSON.parse(line)).forEach((row, i) => {
      expect(row.tokens).toBe(wantSums[i].tokenIds.length);
      expect(Math.abs(row.logprob - wantSums[i].total)).toBeLessThan(1e-4);
    });
  });
});
