// The `evaluate` run: every named policy version and one base continue the same held-out prompts
// (ONNX Runtime, the same seeds; external policies at their endpoint); a reward model scores both
// sides; KL to the base is the k1 estimate on the policy's temperature-1 samples, with log π_base
// from trainer/dpo/reference.ts (none for an external side: its endpoint gives no log-probs).
// One `evaluations` row per policy, and the whole result as a JSON artifact of the run.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { desc, eq } from "drizzle-orm";
import { evaluationPrompts, lineageRoot, type PromptToAnswer } from "../../core/evaluation-prompts";
import { requireSampleablePolicy, type PolicyRow } from "../../core/policy-versions";
import type { Db } from "../../db/client";
import { evaluations, rewardModels } from "../../db/schema";
import { referenceLogprobs } from "../dpo/reference";
import { loadRewardScorer, type RewardScorer } from "../reward/scorer";
import type { Executor, RunContext } from "../worker/run-context";
import { evaluateConfigSchema, type EvaluateConfig } from "./config";
import { alignmentAccuracy, klTerms, mean, perPromptMeans, standardError } from "./metrics";
import { sampleCheckpoint, sampleEndpoint, tokenizerBytes, type SampleSet } from "./sampling";

/** Prompts shown side by side per policy (the rest stay in the numbers). */
const SHOWN_SAMPLES = 6;
const label = (p: PolicyRow) => `${p.name}@${p.version}`;

function rewardModelFor(db: Db, projectId: number, asked: number | null) {
  if (asked !== null) {
    const row = db.select().from(rewardModels).where(eq(rewardModels.id, asked)).get();
    if (!row) throw new Error(`no reward model with id ${asked}`);
    return row;
  }
  return db.select().from(rewardModels).where(eq(rewardModels.projectId, projectId)).orderBy(desc(rewardModels.id)).get() ?? null;
}

interface Side { policy: PolicyRow; set: SampleSet; rewards: number[] | null }

/** One policy's samples (a checkpoint on ONNX Runtime, an external policy at its endpoint) and their rewards. */
async function side(ctx: RunContext, policy: PolicyRow, prompts: PromptToAnswer[], c: EvaluateConfig, scorer: RewardScorer | null): Promise<Side> {
  const between = () => ctx.throwIfCancelled();
  const set = policy.kind === "external" ? await sampleEndpoint(ctx.db, policy, prompts, c, between) : await sampleCheckpoint(policy.path!, prompts.map((p) => p.text), c, between);
  const items = set.texts.map((completion, i) => ({ prompt: prompts[Math.floor(i / c.samplesPerPrompt)]!.text, completion }));
  return { policy, set, rewards: scorer ? scorer.score(items) : null };
}

/** KL(π‖π_base) by k1 on π's samples; null when a side is an endpoint (no log-probs) or the two tokenizers differ (no shared token ids). */
async function klToBase(ctx: RunContext, ours: Side, base: Side): Promise<number[] | null> {
  if (!ours.policy.path || !base.policy.path) return null;
  if (tokenizerBytes(ours.policy.path) !== tokenizerBytes(base.policy.path)) return null;
  const baseLogps = await referenceLogprobs(base.policy.path!, ours.set.klRows, { cacheDir: path.join(path.dirname(ctx.runDir), "reference-cache") });
  return klTerms(ours.set.klRows.map((r) => r.logp), baseLogps);
}

function compare(ours: Side, base: Side, kl: number[] | null, c: EvaluateConfig, promptCount: number) {
  const k = c.samplesPerPrompt;
  const [p, b] = [ours.rewards, base.rewards].map((r) => (r ? perPromptMeans(r, k) : null));
  return {
    prompts: promptCount,
    samplesPerPrompt: k,
    alignmentAccuracy: p && b ? alignmentAccuracy(p, b) : null,
    meanReward: ours.rewards ? mean(ours.rewards) : null,
    baseMeanReward: base.rewards ? mean(base.rewards) : null,
    rewardStdErr: ours.rewards ? standardError(ours.rewards) : null,
    klToBase: kl ? mean(kl) : null,
    klStdErr: kl ? standardError(kl) : null,
  };
}

function shownSamples(prompts: Array<{ id: number; text: string }>, ours: Side, base: Side, k: number) {
  return prompts.slice(0, SHOWN_SAMPLES).map((p, i) => ({
    promptId: p.id, prompt: p.text, policy: ours.set.texts[i * k]!, base: base.set.texts[i * k]!,
    policyReward: ours.rewards?.[i * k] ?? null, baseReward: base.rewards?.[i * k] ?? null,
  }));
}

export const evaluateExecutor: Executor = async (ctx) => {
  const c = evaluateConfigSchema.parse(ctx.config);
  const projectId = ctx.run.projectId;
  if (projectId === null) throw new Error("an evaluate run compares policies on a project's prompts: name the project");
  if (c.policyIds.length === 0) throw new Error("name at least one policy to evaluate (policyIds)");
  const policies = c.policyIds.map((id) => requireSampleablePolicy(ctx.db, id));
  const base = c.baseId !== null ? requireSampleablePolicy(ctx.db, c.baseId) : lineageRoot(ctx.db, policies[0]!.id);
  const prompts = evaluationPrompts(ctx.db, projectId, [...c.policyIds, base.id], c);
  if (prompts.length === 0) throw new Error(`project ${projectId} has no ${c.prompts === "test" ? "held-out prompts (every prompt was judged before these policies were trained): import unlabelled prompts or evaluate on \"all\"" : "prompts"}`);
  const rm = rewardModelFor(ctx.db, projectId, c.rewardModelId);
  ctx.info({ totalSteps: policies.length + 1 });
  const scorer = rm ? await loadRewardScorer(ctx.db, String(rm.id)) : null;
  try {
    const baseSide = await side(ctx, base, prompts, c, scorer);
    ctx.progress({ step: 1, metrics: baseSide.rewards ? { base_mean_reward: mean(baseSide.rewards) } : {}, message: `base ${label(base)}: ${prompts.length} prompts × ${c.samplesPerPrompt} samples${rm ? `, reward model ${rm.id}` : ", no reward model"}` });
    ctx.db.delete(evaluations).where(eq(evaluations.runId, ctx.run.id)).run(); // a resumed run redoes its rows
    const results = [];
    for (const [i, policy] of policies.entries()) {
      ctx.throwIfCancelled();
      const ours = policy.id === base.id ? baseSide : await side(ctx, policy, prompts, c, scorer);
      const metrics = compare(ours, baseSide, await klToBase(ctx, ours, baseSide), c, prompts.length);
      const row = ctx.db.insert(evaluations).values({
        projectId, runId: ctx.run.id, basePolicyId: base.id, policyId: policy.id, rewardModelId: rm?.id ?? null,
        promptIds: prompts.map((p) => p.id), metrics, samples: shownSamples(prompts, ours, baseSide, c.samplesPerPrompt),
      }).returning().get();
      results.push({ ...row, policy: label(policy), base: label(base) });
      const numeric = Object.fromEntries(Object.entries({ alignment_accuracy: metrics.alignmentAccuracy, mean_reward: metrics.meanReward, kl_to_base: metrics.klToBase }).filter(([, v]) => v !== null)) as Record<string, number>;
      ctx.progress({ step: i + 2, metrics: numeric, message: `${label(policy)} vs ${label(base)}` });
    }
    mkdirSync(ctx.runDir, { recursive: true });
    const file = path.join(ctx.runDir, "evaluation.json");
    writeFileSync(file, JSON.stringify({ base: label(base), rewardModelId: rm?.id ?? null, config: c, results }, null, 2));
    ctx.artifact("samples", file, { evaluationIds: results.map((r) => r.id), basePolicyId: base.id, policyIds: c.policyIds }, policies.length + 1);
  } finally {
    scorer?.dispose();
  }
};
