// Online RL on this machine, through the real executor (worker loop, ONNX rollouts, the update on
// ONNX Runtime or tfjs-wasm): one iteration's wall time split into sampling, policy log-probs,
// reference log-probs, scoring and the update, plus rollout tokens/s, for PPO and GRPO at the
// built-in model's shapes, on both update engines. The
// prompts are openings of real movie-review snippets; the score is a code-registered stand-in
// (speed does not depend on what is rewarded).
import { mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { ensureBuiltinPolicy } from "../core/policy-versions";
import { openDatabase } from "../db/client";
import { prompts, runEvents, trainingRuns } from "../db/schema";
import { ensureProject } from "../server/services/projects";
import { queueRun } from "../server/services/runs";
import { registerScoringFunction } from "../trainer/rl/scores";
import { runOnce } from "../trainer/worker/worker-loop";

type Row = Record<string, string | number>;
const cores = availableParallelism();
const ITERATIONS = 4;

/** Openings (first three words) of the shipped movie-review snippets. */
function openings(n: number): string[] {
  const lines = readFileSync("data/movie-reviews/movieReviewSnippets_GroundTruth.txt", "utf8").split("\n");
  const texts = lines.map((l) => l.split("\t")[2]?.split(/\s+/).slice(0, 3).join(" ")).filter((t): t is string => !!t);
  return [...new Set(texts)].slice(0, n);
}

async function iterationRow(kind: "ppo" | "grpo", engine: "onnx" | "wasm"): Promise<Row> {
  const dir = mkdtempSync(path.join(tmpdir(), "preflab-rl-bench-"));
  const db = openDatabase(path.join(dir, "bench.db"));
  const project = ensureProject(db, "rl-bench", null);
  db.insert(prompts).values(openings(80).map((text) => ({ projectId: project.id, text }))).run();
  const policy = ensureBuiltinPolicy(db);
  const config = { policyId: policy.id, scoringFunction: "bench-length", iterations: ITERATIONS, batchSize: 8, samplesPerPrompt: kind === "ppo" ? 1 : 4, maxNewTokens: 24, evalInterval: 0, checkpointEvery: 0, evaluation: { prompts: 0 }, engine };
  const run = queueRun(db, { kind, projectId: project.id, config, createdBy: null, origin: "cli" });
  const started = performance.now();
  await runOnce(db, { runsRoot: path.join(dir, "runs") });
  const seconds = (performance.now() - started) / 1000;
  const row = db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()!;
  if (row.status !== "succeeded") return { bench: "rl", model: "builtin", metric: `${kind} iteration, update on ${engine}`, value: "failed", note: row.error ?? row.status, cores };
  const steps = db.select().from(runEvents).where(eq(runEvents.runId, run.id)).all().filter((e) => e.loss !== null).slice(1); // first iteration warms up
  const mean = (key: string) => steps.reduce((s, e) => s + (e.metrics?.[key] ?? 0), 0) / steps.length;
  const sampled = 8 * config.samplesPerPrompt * mean("response_length");
  const split = ["sampling", "policy_logprobs", "reference_logprobs", "scoring", "update"].map((k) => `${k} ${mean(`time/${k}`).toFixed(2)} s`).join(", ");
  db.$client.close();
  return { bench: "rl", model: "builtin", metric: `${kind} iteration (8 prompts × ${config.samplesPerPrompt}, ≤24 new tokens), update on ${row.backend ?? engine}`, value: `${(mean("time/sampling") + mean("time/policy_logprobs") + mean("time/reference_logprobs") + mean("time/scoring") + mean("time/update")).toFixed(2)} s`, note: `${split}; rollout ${(sampled / mean("time/sampling")).toFixed(0)} tok/s; whole run ${seconds.toFixed(0)} s`, cores };
}

export async function run(): Promise<Row[]> {
  registerScoringFunction("bench-length", (items) => items.map((i) => Math.min(1, i.completion.length / 100)));
  const rows: Row[] = [];
  for (const kind of ["ppo", "grpo"] as const) for (const engine of ["onnx", "wasm"] as const) rows.push(await iterationRow(kind, engine));
  return rows;
}
