import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createRng } from "../../stats/random";
import { initBackend } from "../backend";
import {
  PAIR_LOSSES,
  PAIR_LOSS_TYPES,
  ktoLoss,
  log1mexp,
  pairMetrics,
  plackettLuceLoss,
  weightedMean,
  type PairLogps,
  type PairLossType,
  type PreferenceLossConfig,
} from "./losses";

/** One pair in plain numbers: summed log-probs, reference log-probs, token counts. */
interface Pair { c: number; r: number; rc: number; rr: number; nc: number; nr: number }

const sigma = (x: number) => 1 / (1 + Math.exp(-x));
const logSigma = (x: number) => Math.log(sigma(x));

/** Per-pair loss and rewards straight from the papers / TRL (float64). */
function naivePair(type: PairLossType, p: Pair, cfg: PreferenceLossConfig): [loss: number, chosenReward: number, rejectedReward: number] {
  const { beta: b, labelSmoothing: e } = cfg;
  const cdpo = (z: number) => -(1 - e) * logSigma(z) - e * logSigma(-z);
  const [aw, al] = [p.c / p.nc, p.r / p.nr]; // per-token averages
  const h = p.c - p.rc - (p.r - p.rr);
  const sums = [b * (p.c - p.rc), b * (p.r - p.rr)] as const;
  switch (type) {
    case "sigmoid": return [cdpo(b * h), ...sums];
    case "hinge": return [Math.max(0, 1 - b * h), ...sums];
    case "ipo": {
      const [wr, lr] = [aw - p.rc / p.nc, al - p.rr / p.nr];
      return [(wr - lr - 1 / (2 * b)) ** 2, b * wr, b * lr];
    }
    case "robust": return [(-(1 - e) * logSigma(b * h) + e * logSigma(-b * h)) / (1 - 2 * e), ...sums];
    case "simpo": return [cdpo(b * (aw - al - cfg.simpoGamma / b)), b * aw, b * al];
    case "orpo": {
      const logOdds = (a: number) => a - Math.log(1 - Math.exp(a));
      return [-aw - b * logSigma(logOdds(aw) - logOdds(al)), b * aw, b * al];
    }
  }
}

const naiveMean = (type: PairLossType, pairs: Pair[], w: number[], cfg: PreferenceLossConfig) =>
  pairs.reduce((s, p, i) => s + w[i] * naivePair(type, p, cfg)[0], 0) / w.reduce((s, x) => s + x, 0);

const logpsOf = (pairs: Pair[], chosen?: tf.Tensor1D, rejected?: tf.Tensor1D): PairLogps => ({
  chosen: chosen ?? tf.tensor1d(pairs.map((p) => p.c)),
  rejected: rejected ?? tf.tensor1d(pairs.map((p) => p.r)),
  refChosen: tf.tensor1d(pairs.map((p) => p.rc)),
  refRejected: tf.tensor1d(pairs.map((p) => p.rr)),
  chosenTokens: tf.tensor1d(pairs.map((p) => p.nc)),
  rejectedTokens: tf.tensor1d(pairs.map((p) => p.nr)),
});

/** |a − e| ≤ tol, relative once |e| > 1 (float32 against float64). */
function expectNear(actual: number, expected: number, tol = 1e-5) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}
const values = (t: tf.Tensor) => Array.from(t.dataSync());

const rng = createRng(20240607);
const between = (lo: number, hi: number) => lo + (hi - lo) * rng();
// Realistic sums over 1..10 tokens; per-token averages stay in (−3, −0.1), where ORPO's log odds are tame.
const pairs: Pair[] = Array.from({ length: 9 }, () => {
  const [nc, nr] = [1 + Math.floor(rng() * 10), 1 + Math.floor(rng() * 10)];
  return { c: nc * between(-3, -0.1), r: nr * between(-3, -0.1), rc: nc * between(-3, -0.1), rr: nr * between(-3, -0.1), nc, nr };
});
const weights = pairs.map(() => between(0.2, 2));
const config: PreferenceLossConfig = { beta: 0.3, labelSmoothing: 0.1, simpoGamma: 0.5 };

beforeAll(async () => {
  await initBackend("cpu");
});

describe.each(PAIR_LOSS_TYPES)("pair loss %s", (type) => {
  it("matches the naive scalar reference per example, rewards included", () => {
    const out = PAIR_LOSSES[type](logpsOf(pairs), config);
    const [losses, cr, rr] = [values(out.losses), values(out.chosenRewards), values(out.rejectedRewards)];
    pairs.forEach((p, i) => {
      const [loss, chosenReward, rejectedReward] = naivePair(type, p, config);
      expectNear(losses[i], loss);
      expectNear(cr[i], chosenReward);
      expectNear(rr[i], rejectedReward);
    });
  });

  it("has gradients in chosen and rejected matching central finite differences", () => {
    const base = logpsOf(pairs);
    const w = tf.tensor1d(weights);
    const loss = (c: tf.Tensor, r: tf.Tensor) => weightedMean(PAIR_LOSSES[type]({ ...base, chosen: c as tf.Tensor1D, rejected: r as tf.Tensor1D }, config).losses, w);
    const [gc, gr] = tf.grads(loss)([base.chosen, base.rejected]).map(values);
    const step = 1e-5;
    pairs.forEach((_, i) => {
      for (const [key, analytic] of [["c", gc[i]], ["r", gr[i]]] as const) {
        const at = (d: number) => naiveMean(type, pairs.map((p, k) => (k === i ? { ...p, [key]: p[key] + d } : p)), weights, config);
        expectNear(analytic, (at(step) - at(-step)) / (2 * step), 1e-4);
      }
    });
  });
});

describe("pair losses, hand-computed cases", () => {
  const one = (c: number, r: number, rc: number, rr: number, nc = 1, nr = 1) => logpsOf([{ c, r, rc, rr, nc, nr }]);
  const cfg = (beta: number, labelSmoothing = 0, simpoGamma = 0.5): PreferenceLossConfig => ({ beta, labelSmoothing, simpoGamma });
  const loss = (type: PairLossType, x: PairLogps, c: PreferenceLossConfig) => values(PAIR_LOSSES[type](x, c).losses)[0];
  const atReference = () => one(-7, -4, -7, -4, 5, 3); // π = π_ref on both answers

  it("sigmoid is ln 2 at π = π_ref, log(1 + e^−1) at βh = 1, with rewards ±β", () => {
    expectNear(loss("sigmoid", atReference(), cfg(0.1)), Math.LN2);
    const out = PAIR_LOSSES.sigmoid(one(-3, -5, -4, -4), cfg(0.5)); // h = 1 − (−1) = 2
    expectNear(values(out.losses)[0], 0.31326168751822286);
    expectNear(values(out.chosenRewards)[0], 0.5);
    expectNear(values(out.rejectedRewards)[0], -0.5);
  });

  it("cDPO is ln 2 at h = 0 for any ε, and moves toward the flipped label as ε grows", () => {
    expectNear(loss("sigmoid", atReference(), cfg(0.1, 0.3)), Math.LN2);
    // βh = 1, ε = 0.2: 0.8·log(1 + e^−1) + 0.2·log(1 + e)
    expectNear(loss("sigmoid", one(-3, -5, -4, -4), cfg(0.5, 0.2)), 0.8 * 0.31326168751822286 + 0.2 * 1.3132616875182228);
  });

  it("hinge is 1 at π = π_ref, 1 − βh inside the margin and 0 beyond it", () => {
    expectNear(loss("hinge", atReference(), cfg(0.1)), 1);
    expectNear(loss("hinge", one(-3, -5, -4, -4), cfg(0.2)), 0.6); // βh = 0.4
    expect(loss("hinge", one(-3, -5, -4, -4), cfg(1.5))).toBe(0); // βh = 3
  });

  it("ipo is (1/(2β))² at π = π_ref and uses per-token averages", () => {
    expectNear(loss("ipo", atReference(), cfg(0.1)), 25);
    // averages: chosen −6/3 vs ref −9/3 (+1), rejected −8/4 vs ref −4/4 (−1): h = 2 = 1/(2·0.25).
    // Summed log-probs would give h = 7 and a loss of 25.
    expectNear(loss("ipo", one(-6, -8, -9, -4, 3, 4), cfg(0.25)), 0);
  });

  it("robust equals sigmoid at ε = 0 and is the unbiased combination at ε > 0", () => {
    const x = logpsOf(pairs);
    values(PAIR_LOSSES.robust(x, cfg(0.3)).losses).forEach((v, i) => expectNear(v, values(PAIR_LOSSES.sigmoid(x, cfg(0.3)).losses)[i]));
    // βh = 1, ε = 0.1: [0.9·log(1 + e^−1) − 0.1·log(1 + e)] / 0.8
    expectNear(loss("robust", one(-3, -5, -4, -4), cfg(0.5, 0.1)), 0.1882616875182229);
    expect(() => PAIR_LOSSES.robust(atReference(), cfg(0.1, 0.5))).toThrow(RangeError);
  });

  it("simpo: −log σ(β(avg_w − avg_l) − γ) and rewards β·avg log π, ignoring the reference", () => {
    // avg_w = −4/2 = −2, avg_l = −9/3 = −3, β = 2, γ = 0.5: −log σ(2·1 − 0.5) = log(1 + e^−1.5)
    const out = PAIR_LOSSES.simpo(one(-4, -9, 100, -100, 2, 3), cfg(2, 0, 0.5));
    expectNear(values(out.losses)[0], 0.2014132779827524);
    expectNear(values(out.chosenRewards)[0], -4);
    expectNear(values(out.rejectedRewards)[0], -6);
  });

  it("orpo: NLL(y_w) − β·log σ(log odds ratio), with TRL's extra metrics", () => {
    // avg_w = −0.5, avg_l = −2: log odds ratio = (−0.5 − log(1 − e^−0.5)) − (−2 − log(1 − e^−2)) = 2.28734
    const x = one(-1, -6, 100, -100, 2, 3);
    const out = PAIR_LOSSES.orpo(x, cfg(0.1));
    expectNear(values(out.losses)[0], 0.5 + 0.1 * 0.09670586364939958);
    expectNear(values(out.chosenRewards)[0], -0.05);
    const m = pairMetrics(x, out);
    expectNear(m.log_odds_chosen, 2.2873386716983295);
    expectNear(m.log_odds_ratio, -0.09670586364939958);
    expectNear(m.nll_loss, 0.5);
    expectNear(m["logps/chosen"], -0.5); // TRL logs ORPO's averaged log-probs
  });
});

describe("log1mexp", () => {
  it("is accurate near 0 and very negative, where the naive forms lose everything", () => {
    const as = [-1e-7, -1e-4, -0.1, -Math.LN2, -0.7, -1, -5, -30, -100, -1e4];
    values(log1mexp(tf.tensor1d(as))).forEach((v, i) => {
      const exact = Math.log(-Math.expm1(as[i]));
      expect(Math.abs(v - exact)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(exact)) + 1e-12);
    });
  });

  it("has finite gradients −eᵃ/(1 − eᵃ) everywhere below 0", () => {
    const as = [-1e-4, -0.5, -Math.LN2, -1, -30, -1e4];
    const g = values(tf.grad((a: tf.Tensor) => tf.sum(log1mexp(a)))(tf.tensor1d(as)));
    g.forEach((v, i) => expectNear(v, -Math.exp(as[i]) / -Math.expm1(as[i]), 1e-5));
  });
});

describe("weightedMean and pairMetrics", () => {
  it("weightedMean is Σ w·ℓ / Σ w", () => {
    expectNear(values(weightedMean(tf.tensor1d([1, 2, 4]), tf.tensor1d([1, 0, 3])))[0], 13 / 4);
  });

  it("reports TRL's names and means; accuracy counts strictly higher chosen rewards only", () => {
    // h per pair: 2, 0, −2 (β = 0.5): rewards (0.5, −0.5), (0, 0), (−1, 0)
    const x = logpsOf([
      { c: -3, r: -5, rc: -4, rr: -4, nc: 1, nr: 1 },
      { c: -2, r: -2, rc: -2, rr: -2, nc: 1, nr: 1 },
      { c: -6, r: -1, rc: -4, rr: -1, nc: 1, nr: 1 },
    ]);
    const m = pairMetrics(x, PAIR_LOSSES.sigmoid(x, { beta: 0.5, labelSmoothing: 0, simpoGamma: 0.5 }));
    expect(Object.keys(m).sort()).toEqual(["logps/chosen", "logps/rejected", "rewards/accuracies", "rewards/chosen", "rewards/margins", "rewards/rejected"]);
    expectNear(m["rewards/chosen"], -0.5 / 3);
    expectNear(m["rewards/rejected"], -0.5 / 3);
    expectNear(m["rewards/accuracies"], 1 / 3);
    expectNear(m["rewards/margins"], 0);
    expectNear(m["logps/chosen"], -11 / 3);
    expectNear(m["logps/rejected"], -8 / 3);
  });
});

/** −Σ_{k<n−1} [u_k − log Σ_{j≥k} e^{u_j}] over the present prefix of a ranking. */
function naivePlackettLuce(policy: number[], reference: number[], n: number, beta: number): number {
  const u = policy.slice(0, n).map((p, i) => beta * (p - reference[i]));
  let loss = 0;
  for (let k = 0; k < n - 1; k++) loss -= u[k] - Math.log(u.slice(k).reduce((s, x) => s + Math.exp(x), 0));
  return loss;
}

describe("plackettLuceLoss", () => {
  const rows = 4;
  const n = 5;
  const lengths = [5, 3, 2, 4];
  const policy = Array.from({ length: rows }, () => Array.from({ length: n }, () => between(-20, -2)));
  const reference = Array.from({ length: rows }, () => Array.from({ length: n }, () => between(-20, -2)));
  const mask = lengths.map((len) => Array.from({ length: n }, (_, j) => (j < len ? 1 : 0)));
  const beta = 0.2;

  it("matches the naive reference on rankings of mixed length", () => {
    const out = values(plackettLuceLoss(tf.tensor2d(policy), tf.tensor2d(reference), tf.tensor2d(mask), beta));
    out.forEach((v, b) => expectNear(v, naivePlackettLuce(policy[b], reference[b], lengths[b], beta)));
  });

  it("with N = 2 equals the sigmoid DPO loss", () => {
    const two = pairs.slice(0, 5);
    const pl = plackettLuceLoss(tf.tensor2d(two.map((p) => [p.c, p.r])), tf.tensor2d(two.map((p) => [p.rc, p.rr])), tf.ones([5, 2]) as tf.Tensor2D, beta);
    const dpo = PAIR_LOSSES.sigmoid(logpsOf(two), { beta, labelSmoothing: 0, simpoGamma: 0 }).losses;
    values(pl).forEach((v, i) => expectNear(v, values(dpo)[i]));
  });

  it("ignores padding: a padded ranking costs what the shorter ranking costs alone", () => {
    const [p, r] = [[-3, -5, -4], [-4, -4, -6]];
    const padded = plackettLuceLoss(tf.tensor2d([[...p, 50, -1e3]]), tf.tensor2d([[...r, -50, 7]]), tf.tensor2d([[1, 1, 1, 0, 0]]), 0.7);
    const alone = plackettLuceLoss(tf.tensor2d([p]), tf.tensor2d([r]), tf.ones([1, 3]) as tf.Tensor2D, 0.7);
    expectNear(values(padded)[0], values(alone)[0]);
  });

  it("with N = 3 is the hand-expanded product of two softmax choices", () => {
    // u = β(π − π_ref) = 0.5·(2, −1, 0) = (1, −0.5, 0)
    const out = plackettLuceLoss(tf.tensor2d([[-1, -5, -3]]), tf.tensor2d([[-3, -4, -3]]), tf.ones([1, 3]) as tf.Tensor2D, 0.5);
    const first = 1 - Math.log(Math.exp(1) + Math.exp(-0.5) + Math.exp(0));
    const second = -0.5 - Math.log(Math.exp(-0.5) + Math.exp(0));
    expectNear(values(out)[0], -(first + second));
  });

  it("has gradients in the policy log-probs matching central finite differences", () => {
    const g = values(tf.grad((pol: tf.Tensor) => tf.sum(plackettLuceLoss(pol as tf.Tensor2D, tf.tensor2d(reference), tf.tensor2d(mask), beta)))(tf.tensor2d(policy)));
    const step = 1e-5;
    for (let b = 0; b < rows; b++) {
      for (let j = 0; j < n; j++) {
        const at = (d: number) => naivePlackettLuce(policy[b].map((x, k) => (k === j ? x + d : x)), reference[b], lengths[b], beta);
        expectNear(g[b * n + j], (at(step) - at(-step)) / (2 * step), 1e-4); // padded columns: 0
      }
    }
  });
});

describe("ktoLoss", () => {
  const kto = { beta: 0.5, desirableWeight: 1.5, undesirableWeight: 0.7 };
  const logps = [-10, -4, -7, -12, -3];
  const refLogps = [-9, -6, -7, -10, -5];
  const desirable = [1, 0, 1, 0, 0];
  const naive = (i: number, lp: number, z: number) => {
    const lr = lp - refLogps[i];
    return desirable[i] ? kto.desirableWeight * (1 - sigma(kto.beta * (lr - z))) : kto.undesirableWeight * (1 - sigma(kto.beta * (z - lr)));
  };
  const run = (klEstimate: number, lp = logps) =>
    ktoLoss({ logps: tf.tensor1d(lp), refLogps: tf.tensor1d(refLogps), desirable: tf.tensor1d(desirable), klEstimate }, kto);

  it("matches the naive reference, rewards β·logratio", () => {
    const out = run(0.8);
    values(out.losses).forEach((v, i) => expectNear(v, naive(i, logps[i], 0.8)));
    values(out.rewards).forEach((v, i) => expectNear(v, kto.beta * (logps[i] - refLogps[i])));
  });

  it("is λ/2 at π = π_ref with z_ref = 0; a higher z_ref costs desirable examples more, undesirable less", () => {
    const atRef = (z: number) => values(run(z, refLogps).losses);
    atRef(0).forEach((v, i) => expectNear(v, (desirable[i] ? 1.5 : 0.7) / 2));
    // z_ref = 2, β = 0.5: desirable λ_D·σ(1), undesirable λ_U·σ(−1)
    atRef(2).forEach((v, i) => expectNear(v, desirable[i] ? 1.5 * sigma(1) : 0.7 * sigma(-1)));
    atRef(-3).forEach((v, i) => expectNear(v, (desirable[i] ? 1.5 : 0.7) / 2)); // clamped at 0, as TRL
  });

  it("has gradients in the policy log-probs matching central finite differences", () => {
    const g = values(tf.grad((lp: tf.Tensor) => tf.sum(ktoLoss({ logps: lp as tf.Tensor1D, refLogps: tf.tensor1d(refLogps), desirable: tf.tensor1d(desirable), klEstimate: 0.8 }, kto).losses))(tf.tensor1d(logps)));
    const step = 1e-5;
    logps.forEach((lp, i) => expectNear(g[i], (naive(i, lp + step, 0.8) - naive(i, lp - step, 0.8)) / (2 * step), 1e-4));
  });
});
