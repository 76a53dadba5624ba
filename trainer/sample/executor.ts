// The `sample` run: policy versions continue the project's prompts on ONNX Runtime (external
// policies: at their OpenAI-compatible endpoint) and their samples go straight into the
// annotators' queue as tasks (that is how the loop closes). Each prompt's completions and tasks
// are written in one transaction, so a run that stops part-way (an error, a cancellation, an
// endpoint that times out or answers garbage: the error names the policy and the cause) leaves
// whole prompts behind, and says how many tasks it made. No tfjs backend: sampling is inference only.
import { and, eq } from "drizzle-orm";
import type { PromptToAnswer } from "../../core/evaluation-prompts";
import { policyWithId as label } from "../../core/openai/endpoint-target";
import { createTasks } from "../../core/tasks";
import { inTransaction, type Db } from "../../db/client";
import type { TaskKind } from "../../db/enums";
import { completions } from "../../db/schema";
import { seedFromString } from "../../stats/random";
import { parseConfig } from "../parse-config";
import type { ProgressEvent } from "../worker/queue";
import { RunCancelled, WorkerStopping, type Executor } from "../worker/run-context";
import { layoutProblem, sampleConfigSchema, type SampleConfig } from "./config";
import { taskSets } from "./layout";
import { samplePolicies, samplePrompts } from "./prompts";
import { openSamplers, type PolicySampler, type Sample } from "./samplers";

export { continuePrompt, type DrawParams, type Sample } from "./samplers";

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

/** A seed per completion, so each one is reproducible alone from what it records. */
export const sampleSeed = (seed: number, promptId: number, policyId: number, j: number) => seedFromString(`sample:${seed}:${promptId}:${policyId}:${j}`);

/** samples[p][j]: policy p's j-th continuation of the prompt (the policies answer side by side). */
function samplePrompt(samplers: PolicySampler[], prompt: PromptToAnswer, c: SampleConfig): Promise<Sample[][]> {
  return Promise.all(samplers.map(({ row, draw }) => {
    const draws = Array.from({ length: c.samplesPerPolicy }, (_, j) => ({ temperature: c.temperature, maxNewTokens: c.maxNewTokens, seed: sampleSeed(c.seed, prompt.id, row.id, j) }));
    return draw(prompt, draws);
  }));
}

/** The completion row of a sample: an identical earlier draw (same policy, text and params) is reused, so a repeated run makes no duplicate tasks. */
export function completionId(db: Db, promptId: number, policyId: number, s: Sample): number {
  const same = db.select({ id: completions.id, params: completions.samplingParams }).from(completions)
    .where(and(eq(completions.promptId, promptId), eq(completions.policyId, policyId), eq(completions.text, s.text))).all()
    .find((r) => JSON.stringify(r.params) === JSON.stringify(s.params));
  return same?.id ?? db.insert(completions).values({ promptId, policyId, origin: "policy", text: s.text, samplingParams: s.params }).returning().get().id;
}

/** One prompt's completions and tasks, all or nothing; tasks whose samples all read the same are not made. */
function writePrompt(db: Db, projectId: number, promptId: number, open: PolicySampler[], samples: Sample[][], c: SampleConfig): number[] {
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
  const samplers = await openSamplers(db, rows);
  // Prompts sampled ahead while earlier ones are written: as many as the most parallel endpoint takes.
  const ahead = Math.max(...samplers.map((s) => s.parallelism));
  const inFlight: Array<Promise<Sample[][]>> = [];
  let started = 0;
  try {
    for (const prompt of prompts) {
      while (started < prompts.length && inFlight.length < ahead) {
        hooks.throwIfCancelled();
        const sampling = samplePrompt(samplers, prompts[started++]!, c);
        sampling.catch(() => {}); // awaited in order below; an early failure must not go unhandled meanwhile
        inFlight.push(sampling);
      }
      const created = writePrompt(db, projectId, prompt.id, samplers, await inFlight.shift()!, c);
      summary.taskIds.push(...created);
      summary.tasksCreated += created.length;
      summary.prompts++;
      hooks.progress({ step: summary.prompts, metrics: { tasks_created: summary.tasksCreated }, message: `prompt ${prompt.id}: ${created.length} tasks` });
    }
    return summary;
  } catch (error) {
    throw stoppedPartWay(error, summary, prompts.length, hooks);
  } finally {
    await Promise.allSettled(inFlight); // nothing still generates when the models are released
    await Promise.all(samplers.map((s) => s.release()));
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
