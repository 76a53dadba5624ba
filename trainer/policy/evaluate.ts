// The held-out evaluation a policy run ends with: the new policy and its reference each continue
// the test prompts (ONNX Runtime, temperature 1, so the samples are the policies' own
// distributions); KL(π‖π_ref) is estimated from the new policy's samples (mean of
// log π(y) − log π_ref(y), the k1 estimator); when the project has a reward model, it scores both
// sets: mean reward, and the share of prompts where the new policy's answer scores higher.
import { desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { rewardModels } from "../../db/schema";
import { referenceLogprobs } from "../dpo/reference";
import { openOnnxCheckpoint } from "../onnx/checkpoint";
import { generateFromIds } from "../onnx/generate";
import { loadRewardScorer } from "../reward/scorer";
import type { Tokenizer } from "../tokenizer/tokenizer";
import type { EvaluationSettings } from "./config";
import { tokenizeCompletion, type TruncationLimits } from "./sequences";

export interface EvaluationSample {
  prompt: string;
  policy: string;
  reference: string;
  policyReward?: number;
  referenceReward?: number;
}

export interface PolicyEvaluation {
  prompts: number;
  /** Mean over samples of log π(y) − log π_ref(y) (nats per sequence). */
  klToReference: number | null;
  rewardModelId: number | null;
  meanReward: number | null;
  referenceMeanReward: number | null;
  /** Share of prompts whose policy answer the reward model scores above the reference's (ties: half). */
  rewardWinRate: number | null;
  samples: EvaluationSample[];
}

const mean = (v: number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : Number.NaN);

async function sample(dir: string, prompts: number[][], s: EvaluationSettings, seed: number) {
  const model = await openOnnxCheckpoint(dir, { intraOpNumThreads: 1 });
  try {
    return await generateFromIds(model.lm, prompts, model.tokenizer, { temperature: s.temperature, maxNewTokens: s.maxNewTokens, seed });
  } finally {
    await model.lm.release();
  }
}

function newestRewardModel(db: Db, projectId: number | null) {
  if (projectId === null) return undefined;
  return db.select().from(rewardModels).where(eq(rewardModels.projectId, projectId)).orderBy(desc(rewardModels.id)).get();
}

/** Samples, KL and reward of `modelDir` against `referenceDir` on held-out prompts. */
export async function evaluatePolicy(db: Db, o: { modelDir: string; referenceDir: string; projectId: number | null; prompts: string[]; settings: EvaluationSettings; limits: TruncationLimits; seed: number; tokenizer: Tokenizer }): Promise<PolicyEvaluation> {
  const prompts = [...new Set(o.prompts)].slice(0, o.settings.prompts);
  const empty: PolicyEvaluation = { prompts: 0, klToReference: null, rewardModelId: null, meanReward: null, referenceMeanReward: null, rewardWinRate: null, samples: [] };
  if (prompts.length === 0) return empty;
  const promptIds = prompts.map((p) => tokenizeCompletion(o.tokenizer, p, "", o.limits).promptIds);
  const policy = await sample(o.modelDir, promptIds, o.settings, o.seed);
  const reference = await sample(o.referenceDir, promptIds, o.settings, o.seed);
  const refLogps = await referenceLogprobs(o.referenceDir, policy.map((g, i) => ({ promptIds: promptIds[i]!, completionIds: g.tokenIds })));
  const kl = mean(policy.map((g, i) => g.logprobs.reduce((s, x) => s + x, 0) - refLogps[i]!));
  const samples: EvaluationSample[] = prompts.map((p, i) => ({ prompt: p, policy: policy[i]!.text, reference: reference[i]!.text }));
  const rm = newestRewardModel(db, o.projectId);
  if (!rm) return { ...empty, prompts: prompts.length, klToReference: kl, samples: samples.slice(0, 5) };
  const scorer = await loadRewardScorer(db, String(rm.id));
  try {
    const ours = scorer.score(samples.map((s) => ({ prompt: s.prompt, completion: s.policy })));
    const theirs = scorer.score(samples.map((s) => ({ prompt: s.prompt, completion: s.reference })));
    samples.forEach((s, i) => Object.assign(s, { policyReward: ours[i], referenceReward: theirs[i] }));
    const wins = ours.map((r, i) => (r > theirs[i]! ? 1 : r === theirs[i] ? 0.5 : 0));
    return { prompts: prompts.length, klToReference: kl, rewardModelId: rm.id, meanReward: mean(ours), referenceMeanReward: mean(theirs), rewardWinRate: mean(wins), samples: samples.slice(0, 5) };
  } finally {
    scorer.dispose();
  }
}
