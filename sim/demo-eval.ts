// How a round's policy is judged, under the HIDDEN preference (the sentiment scorer the simulated
// annotator follows, never seen by training): one sample of the new policy and one of the base per
// held-out prompt; win rate (ties half) with a Wilson 95% interval; mean hidden score; and KL to
// the base, the k1 estimate E_{y~π}[log π(y|x) − log π_base(y|x)] over the same samples (summed per
// sequence; the end token, when sampled, is in neither sum).
import { openOnnxCheckpoint } from "../trainer/onnx/checkpoint";
import { generateFromIds } from "../trainer/onnx/generate";
import { referenceLogprobs } from "../trainer/dpo/reference";
import type { SentimentScorer } from "../stats/sentiment-scorer";
import { wilsonInterval } from "../stats/wilson";
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

export interface RoundEvaluation {
  winRate: number;
  winRateInterval: [number, number];
  meanScore: number;
  klToBase: number;
}

const intervalOf = (i: { low: number; high: number } | null): [number, number] => (i ? [i.low, i.high] : [0, 1]);

export async function evaluateAgainstBase(policy: PolicySamples, base: PolicySamples, baseDir: string): Promise<RoundEvaluation> {
  const n = policy.scores.length;
  let wins = 0;
  policy.scores.forEach((s, i) => (wins += s > base.scores[i] ? 1 : s === base.scores[i] ? 0.5 : 0));
  const items = policy.promptIds.map((promptIds, i) => ({ promptIds, completionIds: policy.completionIds[i] }));
  const baseLogprobs = await referenceLogprobs(baseDir, items);
  const kl = policy.logprobs.reduce((sum, lp, i) => sum + lp - baseLogprobs[i], 0) / n;
  return {
    winRate: wins / n,
    winRateInterval: intervalOf(wilsonInterval(wins, n)),
    meanScore: policy.scores.reduce((a, b) => a + b, 0) / n,
    klToBase: kl,
  };
}
