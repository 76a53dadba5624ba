// How a round's policy is judged, under the HIDDEN preference (the sentiment scorer the simulated
// annotator follows, never seen by training): one sample of the new policy and one of the base per
// held-out prompt; win rate (ties half) with a Wilson 95% interval; mean hidden score; and KL to
// the base, the k1 estimate E_{y~π}[log π(y|x) − log π_base(y|x)] over the same samples (summed per
// sequence; the end token, when sampled, is in neither sum).
import { openOnnxCheckpoint } from "../trainer/onnx/checkpoint";
import { generateFromIds } from "../trainer/onnx/generate";
import { referenceLogprobs } from "../trainer/dpo/reference";
import type { SentimentScorer } from "../stats/sentiment-scorer";
import { reviewText } from "./annotator";

export interface PolicySamples {
  texts: string[];
  scores: number[];
  /** Summed log π(y|x) of each sample under the policy that drew it. */
  logprobs: number[];
  promptIds: number[][];
  completionIds: number[][];
}

export interface EvalSettings {
  maxNewTokens: number;
  seed: number;
}

/** One temperature-1 sample per prompt (the policy's own distribution, as KL needs). */
export async function samplePolicy(dir: string, promptTexts: string[], scorer: SentimentScorer, s: EvalSettings): Promise<PolicySamples> {
  const model = await openOnnxCheckpoint(dir);
  try {
    const promptIds = promptTexts.map((p) => {
      const ids = model.tokenizer.encode(p);
      return ids.length > 0 ? ids : [model.tokenizer.eosId];
    });
    const gens = await generateFromIds(model.lm, promptIds, model.tokenizer, { temperature: 1, topK: 0, topP: 1, maxNewTokens: s.maxNewTokens, seed: s.seed, stop: [] });
    return {
      texts: gens.map((g) => g.text),
      scores: gens.map((g, i) => scorer.score(reviewText(promptTexts[i], g.text))),
      logprobs: gens.map((g) => g.logprobs.reduce((a, b) => a + b, 0)),
      promptIds,
      completionIds: gens.map((g) => g.tokenIds),
    };
  } finally {
    await model.lm.release();
  }
}

/** Wilson score interval for a proportion p̂ over n trials (z = 1.96). */
export function wilsonInterval(p: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export interface RoundEvaluation {
  winRate: number;
  winRateInterval: [number, number];
  meanScore: number;
  klToBase: number;
}

export async function evaluateAgainstBase(policy: PolicySamples, base: PolicySamples, baseDir: string): Promise<RoundEvaluation> {
  const n = policy.scores.length;
  let wins = 0;
  policy.scores.forEach((s, i) => (wins += s > base.scores[i] ? 1 : s === base.scores[i] ? 0.5 : 0));
  const items = policy.promptIds.map((promptIds, i) => ({ promptIds, completionIds: policy.completionIds[i] }));
  const baseLogprobs = await referenceLogprobs(baseDir, items);
  const kl = policy.logprobs.reduce((sum, lp, i) => sum + lp - baseLogprobs[i], 0) / n;
  return {
    winRate: wins / n,
    winRateInterval: wilsonInterval(wins / n, n),
    meanScore: policy.scores.reduce((a, b) => a + b, 0) / n,
    klToBase: kl,
  };
}
