/**
 * The fast reward baseline: a linear Bradley-Terry model r(response) = w · x(response) over
 * hashed word n-grams, trained by weighted logistic loss on feature differences
 *   L(w) = Σ_k ω_k softplus(m_k − w · (x_c − x_r)) / Σ_k ω_k + (λ/2)·|w|²
 * with full-batch L-BFGS. Trains in seconds, scores without tensors; used as a sanity check
 * beside the neural model and for active learning. The prompt is not a feature: the model ranks
 * answers to the same prompt, where prompt-only features would cancel in every difference.
 */
import { sigmoid, softplus } from "../../stats/bradley-terry-link";
import { minimizeLbfgs } from "./lbfgs";
import { DEFAULT_FEATURE_CONFIG, featurize, sparseDifference, sparseDot, type LinearFeatureConfig, type SparseVector } from "./linear-features";
import { rewardMoments } from "./metrics";

export interface LinearPair {
  prompt: string;
  chosen: string;
  rejected: string;
  /** Weight from the pair derivation (1/C(N,2) for ranking pairs); 1 if absent. */
  weight?: number;
  /** Required reward gap, e.g. from judgement strength; 0 if absent. */
  margin?: number;
}

export interface LinearTrainConfig {
  /** Feature hashing settings, saved with the model so scoring uses the same ones. */
  features: LinearFeatureConfig;
  /** L2 strength λ; 1e-3 keeps rare n-grams from memorising a handful of pairs. */
  l2: number;
  /** L-BFGS iteration cap; the convex problem converges well before 300. */
  maxIterations: number;
}

export const DEFAULT_LINEAR_CONFIG: LinearTrainConfig = { features: DEFAULT_FEATURE_CONFIG, l2: 1e-3, maxIterations: 300 };

/** The training problem with every pair already turned into a sparse difference. */
export interface LinearProblem {
  differences: SparseVector[]; // [pairs] x_c − x_r
  weights: Float64Array; // [pairs]
  margins: Float64Array; // [pairs]
  l2: number;
}

/** Objective value; writes its gradient into `gradient` (same length as w). */
export function linearObjective(w: Float64Array, problem: LinearProblem, gradient: Float64Array): number {
  gradient.fill(0);
  const { differences, weights, margins, l2 } = problem;
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  let loss = 0;
  differences.forEach((x, k) => {
    const z = margins[k] - sparseDot(w, x); // loss term softplus(z)
    loss += weights[k] * softplus(z);
    const coefficient = (-weights[k] * sigmoid(z)) / totalWeight; // ω σ(z) dz/dw, dz/dw = −x
    for (let j = 0; j < x.indices.length; j++) gradient[x.indices[j]] += coefficient * x.values[j];
  });
  let norm = 0;
  for (let i = 0; i < w.length; i++) {
    norm += w[i] * w[i];
    gradient[i] += l2 * w[i];
  }
  return loss / totalWeight + 0.5 * l2 * norm;
}

export function linearProblem(pairs: readonly LinearPair[], config: LinearTrainConfig): LinearProblem {
  return {
    differences: pairs.map((p) => sparseDifference(featurize(p.chosen, config.features), featurize(p.rejected, config.features))),
    weights: Float64Array.from(pairs, (p) => p.weight ?? 1),
    margins: Float64Array.from(pairs, (p) => p.margin ?? 0),
    l2: config.l2,
  };
}

export interface SavedLinearReward {
  format: "preflab-linear-reward";
  version: 1;
  features: LinearFeatureConfig;
  rewardMean: number;
  rewardStd: number;
  indices: number[]; // nonzero weights only: most hash buckets never see a feature
  values: number[];
}

export class LinearRewardModel {
  constructor(
    readonly features: LinearFeatureConfig,
    readonly weights: Float32Array, // [dimensions]
    /** Mean and std of training rewards, for PPO's reward normalisation. */
    readonly rewardMean = 0,
    readonly rewardStd = 1,
  ) {}

  /** Fits the model to preference pairs; throws on input it cannot learn from. */
  static train(pairs: readonly LinearPair[], config: Partial<LinearTrainConfig> = {}): LinearRewardModel {
    if (pairs.length === 0) throw new Error("linear reward model: no preference pairs to train on");
    const full = { ...DEFAULT_LINEAR_CONFIG, ...config };
    const problem = linearProblem(pairs, full);
    const { x } = minimizeLbfgs((w, g) => linearObjective(w, problem, g), new Float64Array(full.features.dimensions), {
      maxIterations: full.maxIterations,
    });
    const unscaled = new LinearRewardModel(full.features, Float32Array.from(x));
    const moments = rewardMoments({
      chosen: pairs.map((p) => unscaled.score(p.prompt, p.chosen)),
      rejected: pairs.map((p) => unscaled.score(p.prompt, p.rejected)),
    });
    return new LinearRewardModel(full.features, unscaled.weights, moments.mean, moments.std);
  }

  /** Reward of one completion (raw, not normalised; see rewardMean/rewardStd). */
  score(_prompt: string, completion: string): number {
    return sparseDot(this.weights, featurize(completion, this.features));
  }

  toJSON(): SavedLinearReward {
    const indices: number[] = [];
    const values: number[] = [];
    this.weights.forEach((v, i) => v !== 0 && (indices.push(i), values.push(v)));
    const { features, rewardMean, rewardStd } = this;
    return { format: "preflab-linear-reward", version: 1, features, rewardMean, rewardStd, indices, values };
  }

  static fromJSON(saved: SavedLinearReward): LinearRewardModel {
    if (saved.format !== "preflab-linear-reward" || saved.version !== 1) {
      throw new Error(`not a preflab linear reward model (format ${saved.format}, version ${saved.version})`);
    }
    const weights = new Float32Array(saved.features.dimensions);
    saved.indices.forEach((index, k) => (weights[index] = saved.values[k]));
    return new LinearRewardModel(saved.features, weights, saved.rewardMean, saved.rewardStd);
  }
}
