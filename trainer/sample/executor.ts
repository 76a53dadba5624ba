// The `sample` run: policy versions continue the project's prompts on ONNX Runtime and their
// samples go straight into the annotators' queue as tasks (that is how the loop closes). Each
// prompt's completions and tasks are written in one transaction, so a run that stops part-way
// (an error, a cancellation) leaves whole prompts behind, and says how many tasks it made.
// No tfjs backend: sampling is inference only.
import { and, eq } from "drizzle-orm";
import type { PolicyRow } from "../../core/policy-versions";
import { createTasks } from "../../core/tasks";
import { inTransaction, type Db } from "../../db/client";
import type { TaskKind } from "../../db/enums";
import { completions } from "../../db/schema";
import type { SamplingParams } from "../../db/types";
import { seedFromString } from "../../stats/random";
import { openOnnxCheckpoint, type OnnxLanguageModel } from "../onnx/checkpoint";
import { generateFromIds } from "../onnx/generate";
import { parseConfig } from "../parse-config";
import { tokenizeCompletion } from "../policy/sequences";
import type { ProgressEvent } from "../worker/queue";
import { RunCancelled, WorkerStopping, type Executor } from "../worker/run-context";
import { layoutProblem, sampleConfigSchema, type SampleConfig } from "./config";
import { taskSets } from "./layout";
import { samplePolicies, samplePrompts } from "./prompts";

/** What the run reports through (a RunContext in the worker). */
export interface SampleHooks {
  progress(event: ProgressEvent): void;
  throwIfCancelled(): void;
  info?(info: { totalSteps?: number }): void;
}

export interface SampleSummary {
  tasksCreated: number;
  /** Prompts sampled (all of their tasks written). */
  prompts: number;
  /** Policy ids sampled, newest first. */
  policies: number[];
  taskIds: number[];
}

/** One draw's sampling parameters, as its completion records them (drex adds its noise level ε). */
export type DrawParams = Required<Pick<SamplingParams, "temperature" | "maxNewTokens" | "seed">> & Pick<SamplingParams, "epsilon">;
export interface Sample { text: string; params: DrawParams }
export interface Open { row: PolicyRow; model: OnnxLanguageModel }

const label = (p: PolicyRow) => `${p.name}@${p.version} (id ${p.id})`;

/** A seed per completion, so each one is reproducible alone from what it records. */
export const sampleSeed = (seed: number, promptId: number, policyId: number, j: number) => seedFromString(`sample:${seed}:${promptId}:${policyId}:${j}`);

export async function openAll(rows: PolicyRow[]): Promise<Open[]> {
  const open: Open[] = [];
  try {
    for (const row of rows) open.push({ row, model: await openOnnxCheckpoint(row.path!, { intraOpNumThreads: 1 }) });
    return open;
  } catch (error) {
    await Promise.all(open.map((o) => o.model.lm.release()));
    throw new Error(`policy ${label(rows[open.length]!)} cannot be opened: ${(error as Error).message}`);
  }
}

/** One policy's continuations of a prompt, one per draw; the prompt keeps its end to leave room for the longest draw. */
export async function continuePrompt(model: OnnxLanguageModel, text: string, draws: DrawParams[]): Promise<Sample[]> {
  const room = Math.max(1, model.config.n_positions - Math.max(...draws.map((d) => d.maxNewTokens)));
  const { promptIds } = tokenizeCompletion(model.tokenizer, text, "", { maxLength: room, maxPromptLength: room });
  const out: Sample[] = [];
  for (const params of draws) { // one draw at a time: the cores are shared
    const [g] = await generateFromIds(model.lm, [promptIds], model.tokenizer, params);
    out.push({ text: g!.text, params });
  }
  return out;
}

/** samples[p][j]: policy p's j-th continuation of the prompt. */
async function samplePrompt(open: Open[], prompt: { id: number; text: string }, c: SampleConfig): Promise<Sample[][]> {
  const samples: Sample[][] = [];
  for (const { row, model } of open) {
    const draws = Array.from({ length: c.samplesPerPolicy }, (_, j) => ({ temperature: c.temperature, maxNewTokens: c.maxNewTokens, seed: sampleSeed(c.seed, prompt.id, row.id, j) }));
    samples.push(await continuePrompt(model, prompt.text, draws));
  }
  return samples;
}

/** The completion row of a sample: an identical earlier draw (same policy, text and params) is reused, so a repeated run makes no duplicate tasks. */
export function completionId(db: Db, promptId: number, policyId: number, s: Sample): number {
  const same = db.select({ id: completions.id, params: completions.samplingParams }).from(completions)
    .where(and(eq(completions.promptId, promptId), eq(completions.policyId, policyId), eq(completions.text, s.text))).all()
    .find((r) => JSON.stringify(r.params) === JSON.stringify(s.params));
  return same?.id ?? db.insert(completions).values({ promptId, policyId, origin: "policy", text: s.text, samplingParams: s.params }).returning().get().id;
}

/** One prompt's completions and tasks, all or nothing; tasks whose samples all read the same are not made. */
function writePrompt(db: Db, projectId: number, promptId: number, open: Open[], samples: Sample[][], c: SampleConfig): number[] {
  const k = c.samplesPerPolicy;
  const flat = samples.flat();
  const sets = taskSets(c.layout, samples.map((row, p) => row.map((_, j) => p * k + j)))
    .filter((set) => new Set(set.map((i) => flat[i]!.text)).size > 1);
  return inTransaction(db, () => {
    const ids = new Map<number, number>();
    const idOf = (i: number) => ids.get(i) ?? ids.set(i, completionId(db, promptId, open[Math.floor(i / k)]!.row.id, flat[i]!)).get(i)!;
    const specs = sets.map((set) => ({ promptId, completionIds: set.map(idOf), priority: c.priority, requiredJudgements: c.requiredJudgements ?? undefined }));
    return createTasks(db, projectId, c.layout satisfies TaskKind, specs).created;
  });
}

/** Samples the configured policies on the chosen prompts and turns the samples into tasks. */
export async function sampleIntoTasks(db: Db, projectId: number, c: SampleConfig, hooks: SampleHooks): Promise<SampleSummary> {
  const rows = samplePolicies(db, projectId, c.policyIds);
  const problem = layoutProblem(c.layout, rows.length, c.samplesPerPolicy);
  if (problem) throw new Error(`${problem} (policies: ${rows.map(label).join(", ")})`);
  const prompts = samplePrompts(db, projectId, rows.map((r) => r.id), c);
  const summary: SampleSummary = { tasksCreated: 0, prompts: 0, policies: rows.map((r) => r.id), taskIds: [] };
  hooks.info?.({ totalSteps: prompts.length });
  hooks.progress({ step: 0, message: `${prompts.length} ${c.prompts === "held-out" ? "held-out " : ""}prompts × ${rows.map(label).join(", ")} × ${c.samplesPerPolicy} samples → ${c.layout} tasks, priority ${c.priority}` });
  if (prompts.length === 0) return summary;
  const open = await openAll(rows);
  try {
    for (const prompt of prompts) {
      hooks.throwIfCancelled();
      const created = writePrompt(db, projectId, prompt.id, open, await samplePrompt(open, prompt, c), c);
      summary.taskIds.push(...created);
      summary.tasksCreated += created.length;
      summary.prompts++;
      hooks.progress({ step: summary.prompts, metrics: { tasks_created: summary.tasksCreated }, message: `prompt ${prompt.id}: ${created.length} tasks` });
    }
    return summary;
  } catch (error) {
    throw stoppedPartWay(error, summary, prompts.length, hooks);
  } finally {
    await Promise.all(open.map((o) => o.model.lm.release()));
  }
}

/** Says how far a stopped run got (a progress row, and the error's message); the worker's own stop signals pass through as they are. */
function stoppedPartWay(error: unknown, s: SampleSummary, total: number, hooks: SampleHooks): unknown {
  const made = `${s.tasksCreated} tasks from ${s.prompts} of ${total} prompts were created before it stopped (each prompt's samples and tasks whole)`;
  hooks.progress({ step: s.prompts, metrics: { tasks_created: s.tasksCreated }, message: `stopped: ${made}` });
  if (error instanceof RunCancelled || error instanceof WorkerStopping) return error;
  return new Error(`${error instanceof Error ? error.message : String(error)}; ${made}`, { cause: error });
}

export const sampleExecutor: Executor = async (ctx) => {
  const c = parseConfig(ctx.run.kind, sampleConfigSchema, ctx.config);
  const projectId = ctx.run.projectId;
  if (projectId === null) throw new Error("a sample run sends samples to a project's queue: name the project");
  const s = await sampleIntoTasks(ctx.db, projectId, c, ctx);
  const where = s.taskIds.length ? `tasks ${s.taskIds[0]}..${s.taskIds.at(-1)} of project ${projectId}` : `no new tasks in project ${projectId}`;
  ctx.artifact("samples", where, { tasksCreated: s.tasksCreated, prompts: s.prompts, policies: s.policies }, s.prompts);
};
