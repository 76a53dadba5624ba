/**
 * Evaluation metrics of a reward model on scored preference pairs (plain numbers: evaluation
 * runs on ONNX Runtime or the linear model, so no tensors here).
 *
 * Conventions:
 * - pairs are decided pairs (ties and both-bad are not evaluated); each metric except the
 *   reward mean/std is weighted by the pair's derivation weight, so a ranking counts as one;
 * - accuracy counts r_c > r_r as right and an exact tie of rewards as half right, so a constant
 *   model scores chance (0.5), not 0;
 * - calibration is the expected calibration error (ECE) of p = σ(r_c − r_r) over 10 equal-width
 *   bins of [0, 1], with each pair entered in both orders ((p, 1) and (1 − p, 0), half weight
 *   each). With only the (p, 1) order, every label is 1 and "always 100% sure" would look
 *   perfectly calibrated; symmetrised, a bin holding predictions of 0.7 must be right 70% of the
 *   time. ECE = Σ_bins (weight in bin / total) · |mean p − mean label|.
 * - reward mean and std are over every scored answer (population std); they are stored with the
 *   model so that PPO can normalise rewards.
 */
import { sigmoid, softplus } from "../../stats/bradley-terry-link";

export interface ScoredPairs {
  chosen: ArrayLike<number>; // [pairs] reward of the preferred answer
  rejected: ArrayLike<number>; // [pairs] reward of the other answer
  weight?: ArrayLike<number>; // [pairs] derivation weight; 1 if absent
  margin?: ArrayLike<number>; // [pairs] margin the loss used; 0 if absent
}

export interface RewardMetrics {
  pairs: number;
  accuracy: number;
  meanMargin: number;
  loss: number;
  ece: number;
  rewardMean: number;
  rewardStd: number;
}


/** ECE of σ(r_c − r_r), symmetrised over both presentation orders (see above). */
export function expectedCalibrationError(scored: ScoredPairs, bins = 10): number {
  const probSum = new Float64Array(bins);
  const labelSum = new Float64Array(bins);
  const weightSum = new Float64Array(bins);
  const add = (p: number, label: number, w: number) => {
    const b = Math.min(bins - 1, Math.floor(p * bins));
    probSum[b] += w * p;
    labelSum[b] += w * label;
    weightSum[b] += w;
  };
  let total = 0;
  for (let i = 0; i < scored.chosen.length; i++) {
    const w = scored.weight ? scored.weight[i] : 1;
    const p = sigmoid(scored.chosen[i] - scored.rejected[i]);
    add(p, 1, w / 2);
    add(1 - p, 0, w / 2);
    total += w;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (weightSum[b] > 0) ece += Math.abs(probSum[b] - labelSum[b]) / total; // = w_b/W · |p̄ − ȳ|
  }
  return ece;
}

/** Mean and population standard deviation of all scored answers' rewards. */
export function rewardMoments(scored: ScoredPairs): { mean: number; std: number } {
  const n = 2 * scored.chosen.length;
  let sum = 0;
  for (let i = 0; i < scored.chosen.length; i++) sum += scored.chosen[i] + scored.rejected[i];
  const mean = n > 0 ? sum / n : 0;
  let squares = 0;
  for (let i = 0; i < scored.chosen.length; i++) squares += (scored.chosen[i] - mean) ** 2 + (scored.rejected[i] - mean) ** 2;
  return { mean, std: n > 0 ? Math.sqrt(squares / n) : 0 };
}

/** All evaluation metrics of one pass over the validation pairs. */
export function rewardMetrics(scored: ScoredPairs, bins = 10): RewardMetrics {
  let [weights, right, margin, loss] = [0, 0, 0, 0];
  for (let i = 0; i < scored.chosen.length; i++) {
    const w = scored.weight ? scored.weight[i] : 1;
    const d = scored.chosen[i] - scored.rejected[i];
    weights += w;
    right += w * (d > 0 ? 1 : d === 0 ? 0.5 : 0);
    margin += w * d;
    loss += w * softplus(-(d - (scored.margin ? scored.margin[i] : 0)));
  }
  const { mean, std } = rewardMoments(scored);
  const safe = weights > 0 ? weights : Number.NaN; // no pairs: NaN rather than a fake 0
  return {
    pairs: scored.chosen.length,
    accuracy: right / safe,
    meanMargin: margin / safe,
    loss: loss / safe,
    ece: expectedCalibrationError(scored, bins),
    rewardMean: mean,
    rewardStd: std,
  };
}
