import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_REWARD_LOSS_CONFIG,
  TIE_MODES,
  davidsonStrengthForTieRate,
  raoKupperThresholdForTieRate,
  rewardLoss,
  type RewardLossConfig,
  type TieMode,
} from "./losses";

interface Pair { c: number; r: number; m: number; w: number; tie: boolean }

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Per-pair negative log-likelihood, straight from the model definitions (float64). */
function naiveNll(p: Pair, config: RewardLossConfig): number {
  const d = p.c - p.r;
  const x = d - p.m;
  if (config.tieMode === "exclude") return -Math.log(sigmoid(x));
  if (config.tieMode === "rao-kupper") {
    const eta = config.tieThreshold;
    return p.tie ? -Math.log(1 - sigmoid(d - eta) - sigmoid(-d - eta)) : -Math.log(sigmoid(x - eta));
  }
  const nu = config.tieStrength;
  if (p.tie) return -Math.log(nu / (Math.exp(d / 2) + Math.exp(-d / 2) + nu));
  return -Math.log(Math.exp(x / 2) / (Math.exp(x / 2) + Math.exp(-x / 2) + nu));
}

function naiveLoss(pairs: Pair[], config: RewardLossConfig): number {
  let weighted = 0;
  let weights = 0;
  let center = 0;
  for (const p of pairs) {
    const w = config.tieMode === "exclude" && p.tie ? 0 : p.w;
    weighted += w * naiveNll(p, config);
    weights += w;
    center += (p.c + p.r) ** 2;
  }
  return weighted / weights + (config.centering * center) / pairs.length;
}

function batchOf(pairs: Pair[]) {
  return {
    chosen: tf.tensor1d(pairs.map((p) => p.c)),
    rejected: tf.tensor1d(pairs.map((p) => p.r)),
    margin: tf.tensor1d(pairs.map((p) => p.m)),
    weight: tf.tensor1d(pairs.map((p) => p.w)),
    tie: tf.tensor1d(pairs.map((p) => (p.tie ? 1 : 0))),
  };
}

const pairs: Pair[] = [
  { c: 0.3, r: -0.4, m: 0, w: 1, tie: false },
  { c: -1.2, r: 0.5, m: 0.5, w: 1 / 3, tie: false },
  { c: 2.0, r: 1.1, m: 1, w: 1 / 3, tie: false },
  { c: 0.1, r: 0.6, m: 0, w: 1 / 3, tie: true },
  { c: -0.7, r: -0.9, m: 0, w: 0.5, tie: true },
  { c: 3.5, r: -2.5, m: 0.25, w: 2, tie: false },
];

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe.each(TIE_MODES)("reward loss, tie mode %s", (tieMode: TieMode) => {
  const config: RewardLossConfig = { ...DEFAULT_REWARD_LOSS_CONFIG, tieMode, centering: 0.01 };

  it("matches the naive scalar reference", () => {
    const value = rewardLoss(batchOf(pairs), config).dataSync()[0];
    expect(value).toBeCloseTo(naiveLoss(pairs, config), 5);
  });

  it("has gradients matching central finite differences of the reference", () => {
    const { margin, weight, tie } = batchOf(pairs);
    const grads = tf.grads((c: tf.Tensor, r: tf.Tensor) =>
      rewardLoss({ chosen: c as tf.Tensor1D, rejected: r as tf.Tensor1D, margin, weight, tie }, config),
    );
    const [gc, gr] = grads([tf.tensor1d(pairs.map((p) => p.c)), tf.tensor1d(pairs.map((p) => p.r))]).map((g) => g.dataSync());
    const h = 1e-5;
    pairs.forEach((_, i) => {
      for (const [key, analytic] of [["c", gc[i]], ["r", gr[i]]] as const) {
        const at = (delta: number) => naiveLoss(pairs.map((p, k) => (k === i ? { ...p, [key]: p[key] + delta } : p)), config);
        expect(analytic).toBeCloseTo((at(h) - at(-h)) / (2 * h), 4);
      }
    });
  });
});

describe("reward loss hand cases", () => {
  const one = (c: number, r: number, extra: Partial<{ m: number; tie: number }> = {}) => ({
    chosen: tf.tensor1d([c]),
    rejected: tf.tensor1d([r]),
    margin: tf.tensor1d([extra.m ?? 0]),
    tie: tf.tensor1d([extra.tie ?? 0]),
  });
  const value = (t: tf.Scalar) => t.dataSync()[0];

  it("is ln 2 at r_c = r_r with no margin, and at r_c − r_r = m", () => {
    expect(value(rewardLoss(one(0.7, 0.7)))).toBeCloseTo(Math.LN2, 6);
    expect(value(rewardLoss(one(1.5, 0.5, { m: 1 })))).toBeCloseTo(Math.LN2, 6);
  });

  it("adds λ·(r_c + r_r)² for centering", () => {
    expect(value(rewardLoss(one(1, 1), { centering: 0.01 }))).toBeCloseTo(Math.LN2 + 0.04, 6);
  });

  it("ties between equal rewards cost −ln t when the tie parameter was fitted to tie rate t", () => {
    const t = 0.3;
    const rk = rewardLoss(one(0.2, 0.2, { tie: 1 }), { tieMode: "rao-kupper", tieThreshold: raoKupperThresholdForTieRate(t) });
    const dv = rewardLoss(one(0.2, 0.2, { tie: 1 }), { tieMode: "davidson", tieStrength: davidsonStrengthForTieRate(t) });
    expect(value(rk)).toBeCloseTo(-Math.log(t), 5);
    expect(value(dv)).toBeCloseTo(-Math.log(t), 5);
  });

  it("exclude mode ignores ties entirely", () => {
    const withTie = {
      chosen: tf.tensor1d([0.7, 5]),
      rejected: tf.tensor1d([0.7, -5]),
      tie: tf.tensor1d([0, 1]),
    };
    expect(value(rewardLoss(withTie))).toBeCloseTo(Math.LN2, 6);
  });
});
