// The `drex` run (D-REX, Brown et al. 2019, "Better-than-Demonstrator Imitation Learning via
// Automatically-Ranked Demonstrations"): one policy continues each prompt at rising ε-greedy noise
// on ONNX Runtime, and every sample is preferred to each noisier one. The samples are drawn by the
// `sample` run's own helper (continuePrompt) with ε added to its sampling params, so each
// completion records its seed and ε and is reproducible alone; a prompt's completions, tasks and
// synthetic judgements are written in one transaction (a stopped run leaves whole prompts).
import { resolveStartPolicy, type PolicyRow } from "../../core/policy-versions";
import { inTransaction, type Db } from "../../db/client";
import { openOnnxCheckpoint, type OnnxLanguageModel } from "../onnx/checkpoint";
import { parseConfig } from "../parse-config";
import { completionId, continuePrompt, sampleSeed, type DrawParams, type Sample } from "../sample/executor";
import { samplePrompts } from "../sample/prompts";
import type { Executor, RunContext } from "../worker/run-context";
import { drexConfigSchema, type DrexConfig } from "./config";
import { emptySummary, recordSummary, reportPrompt, writeRankedGroups, type SyntheticSummary } from "./write";

/**
 * draws[i][j]: the j-th sample at noise level i. Its seed is the `sample` run's seed for sample
 * i·k + j of this policy and prompt, so the noise-free level draws exactly what plain sampling
 * with that seed draws.
 */
export function drexDraws(c: DrexConfig, promptId: number, policyId: number): DrawParams[][] {
  const k = c.samplesPerLevel;
  return c.noiseLevels.map((epsilon, i) => Array.from({ length: k }, (_, j) => ({
    temperature: c.temperature, maxNewTokens: c.maxNewTokens, seed: sampleSeed(c.seed, promptId, policyId, i * k + j), epsilon,
  })));
}

async function sampleLevels(model: OnnxLanguageModel, prompt: { id: number; text: string }, policyId: number, c: DrexConfig): Promise<Sample[][]> {
  const levels = drexDraws(c, prompt.id, policyId);
  const flat = await continuePrompt(model, prompt.text, levels.flat());
  return levels.map((_, i) => flat.slice(i * c.samplesPerLevel, (i + 1) * c.samplesPerLevel));
}

/** One prompt's completions, tasks and judgements, all or nothing. */
function writePrompt(db: Db, runId: number, projectId: number, promptId: number, policy: PolicyRow, levels: Sample[][], c: DrexConfig) {
  return inTransaction(db, () => {
    const groups = levels.map((level) => level.map((s) => ({ id: completionId(db, promptId, policy.id, s), text: s.text, rank: `ε ${s.params.epsilon}` })));
    return writeRankedGroups(db, runId, projectId, promptId, groups, c.pairing, "D-REX");
  });
}

/** Samples the policy at every noise level on the chosen prompts and records the synthetic judgements. */
export async function drexIntoJudgements(ctx: RunContext, projectId: number, c: DrexConfig): Promise<SyntheticSummary> {
  const policy = resolveStartPolicy(ctx.db, projectId, c.policyId);
  const prompts = samplePrompts(ctx.db, projectId, [policy.id], c);
  const summary = emptySummary();
  ctx.info({ totalSteps: prompts.length });
  ctx.progress({ step: 0, message: `${prompts.length} prompts × ${policy.name}@${policy.version} (id ${policy.id}) at ε ${c.noiseLevels.join(", ")} × ${c.samplesPerLevel} samples → synthetic pairs (${c.pairing}), less noise preferred` });
  const model = prompts.length > 0 ? await openOnnxCheckpoint(policy.path!, { intraOpNumThreads: 1 }) : null;
  try {
    for (const prompt of prompts) {
      ctx.throwIfCancelled();
      const written = writePrompt(ctx.db, ctx.run.id, projectId, prompt.id, policy, await sampleLevels(model!, prompt, policy.id, c), c);
      reportPrompt(ctx, summary, written, `prompt ${prompt.id}: ${written.judgements} synthetic pairs`);
    }
  } finally {
    await model?.lm.release();
  }
  recordSummary(ctx, projectId, summary, { policyId: policy.id, noiseLevels: c.noiseLevels });
  return summary;
}

export const drexExecutor: Executor = async (ctx) => {
  const c = parseConfig("drex", drexConfigSchema, ctx.config);
  if (ctx.run.projectId === null) throw new Error("a drex run writes synthetic judgements into a project: name the project");
  await drexIntoJudgements(ctx, ctx.run.projectId, c);
};
