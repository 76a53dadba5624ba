import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createRng } from "../../stats/random";
import { initBackend } from "../backend";
import { entropyFromLogits, grpoLoss, meanEntropy, ppoPolicyLoss, ppoValueLoss, rlooLoss, tokenEntropy } from "./losses";

type Grid = number[][]; // [batch][T]

/** |a − e| ≤ tol, relative once |e| > 1 (float32 against float64). */
function expectNear(actual: number, expected: number, tol = 1e-5) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}
const values = (t: tf.Tensor) => Array.from(t.dataSync());
const scalar = (t: tf.Tensor) => t.dataSync()[0]!;
const t2 = (g: Grid) => tf.tensor2d(g);

// ---- naive references (float64, one token at a time, straight from TRL's code) ----
const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
/** min(ρA, clip(ρ)A) and whether the clipped term is the one taken. */
function surrogate(lp: number, old: number, a: number, eps: number): [value: number, clipped: boolean] {
  const rho = Math.exp(lp - old);
  const [plain, clipped] = [rho * a, clip(rho, 1 - eps, 1 + eps) * a];
  return [Math.min(plain, clipped), clipped < plain];
}
/** Σ f·mask / Σ mask over a grid. */
const maskedMean = (mask: Grid, f: (b: number, t: number) => number) => {
  let [sum, count] = [0, 0];
  mask.forEach((row, b) => row.forEach((m, t) => ((sum += m ? f(b, t) : 0), (count += m))));
  return sum / count;
};
const naivePpo = (lp: Grid, old: Grid, adv: Grid, mask: Grid, eps: number) => ({
  loss: maskedMean(mask, (b, t) => -surrogate(lp[b]![t]!, old[b]![t]!, adv[b]![t]!, eps)[0]),
  clipfrac: maskedMean(mask, (b, t) => Number(surrogate(lp[b]![t]!, old[b]![t]!, adv[b]![t]!, eps)[1])),
  approxkl: 0.5 * maskedMean(mask, (b, t) => (lp[b]![t]! - old[b]![t]!) ** 2),
});
function naiveValue(v: Grid, oldV: Grid, ret: Grid, mask: Grid, eps: number) {
  const errors = (b: number, t: number) => [(v[b]![t]! - ret[b]![t]!) ** 2, (clip(v[b]![t]!, oldV[b]![t]! - eps, oldV[b]![t]! + eps) - ret[b]![t]!) ** 2] as const;
  return { loss: 0.5 * maskedMean(mask, (b, t) => Math.max(...errors(b, t))), clipfrac: maskedMean(mask, (b, t) => Number(errors(b, t)[1] > errors(b, t)[0])) };
}
const k3 = (lp: number, ref: number) => Math.exp(ref - lp) - (ref - lp) - 1;
function naiveGrpo(lp: Grid, old: Grid, ref: Grid, adv: number[], mask: Grid, eps: number, beta: number) {
  const perToken = (b: number, t: number) => -(surrogate(lp[b]![t]!, old[b]![t]!, adv[b]!, eps)[0] - beta * k3(lp[b]![t]!, ref[b]![t]!));
  const perSequence = mask.map((row, b) => row.reduce((s, m, t) => s + (m ? perToken(b, t) : 0), 0) / Math.max(1, row.reduce((s, m) => s + m, 0)));
  return {
    loss: perSequence.reduce((s, x) => s + x, 0) / perSequence.length,
    kl: maskedMean(mask, (b, t) => k3(lp[b]![t]!, ref[b]![t]!)),
    clipfrac: maskedMean(mask, (b, t) => Number(surrogate(lp[b]![t]!, old[b]![t]!, adv[b]!, eps)[1])),
  };
}
const naiveRloo = (lp: number[], old: number[], adv: number[], eps: number) => ({
  loss: lp.reduce((s, x, b) => s - surrogate(x, old[b]!, adv[b]!, eps)[0], 0) / lp.length,
  clipfrac: lp.reduce((s, x, b) => s + Number(surrogate(x, old[b]!, adv[b]!, eps)[1]), 0) / lp.length,
});
const naiveEntropy = (logits: number[][][], mask: Grid) =>
  maskedMean(mask, (b, t) => {
    const z = logits[b]![t]!;
    const logZ = Math.log(z.reduce((s, x) => s + Math.exp(x), 0));
    return -z.reduce((s, x) => s + Math.exp(x - logZ) * (x - logZ), 0);
  });

/** Central differences of a float64 function of one grid, at every cell. */
function numericGrad(f: (g: Grid) => number, at: Grid, step = 1e-6): number[] {
  return at.flatMap((row, b) => row.map((_, t) => {
    const moved = (d: number) => f(at.map((r, i) => (i === b ? r.map((x, j) => (j === t ? x + d : x)) : r)));
    return (moved(step) - moved(-step)) / (2 * step);
  }));
}

// ---- random inputs: ratios up to e^±0.5 (many clipped at ε = 0.2), ragged masks ----
const rng = createRng(20240901);
const between = (lo: number, hi: number) => lo + (hi - lo) * rng();
const EPS = 0.2;
/** A log-ratio that keeps ρ at least 2e-3 from the clip edges, where the loss has kinks. */
function logRatio(): number {
  for (;;) {
    const d = between(-0.5, 0.5);
    if (Math.abs(Math.exp(d) - (1 - EPS)) > 2e-3 && Math.abs(Math.exp(d) - (1 + EPS)) > 2e-3) return d;
  }
}
const [B, T] = [5, 4];
const lengths = [4, 2, 1, 3, 0]; // the last response is all padding (GRPO counts it as a zero loss)
const mask: Grid = lengths.map((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 : 0)));
const old: Grid = mask.map((row) => row.map(() => between(-4, -0.1)));
const logp: Grid = old.map((row) => row.map((x) => x + logRatio()));
const ref: Grid = logp.map((row) => row.map((x) => x + between(-1, 1)));
const tokenAdv: Grid = mask.map((row) => row.map(() => between(-2, 2)));
const seqAdv = mask.map(() => between(-2, 2));

beforeAll(async () => {
  await initBackend("cpu");
});

describe("ppoPolicyLoss", () => {
  it("matches the naive reference (loss, clipfrac, approxkl) on random ragged inputs", () => {
    const out = ppoPolicyLoss(t2(logp), t2(old), t2(tokenAdv), t2(mask), EPS);
    const naive = naivePpo(logp, old, tokenAdv, mask, EPS);
    expectNear(scalar(out.loss), naive.loss);
    expectNear(scalar(out.clipfrac), naive.clipfrac);
    expect(naive.clipfrac).toBeGreaterThan(0); // the inputs do exercise the clip
    expectNear(scalar(out.approxkl), naive.approxkl);
  });

  it("has gradients in log π matching central finite differences", () => {
    const g = values(tf.grad((lp: tf.Tensor) => ppoPolicyLoss(lp, t2(old), t2(tokenAdv), t2(mask), EPS).loss)(t2(logp)));
    numericGrad((lp) => naivePpo(lp, old, tokenAdv, mask, EPS).loss, logp).forEach((n, i) => expectNear(g[i]!, n, 1e-4));
  });

  it("clipfrac, approxkl and the gradient by hand: clipped tokens pass no gradient", () => {
    // (ρ, A): (1.5, 1) clipped high; (1.5, −1) not; (0.5, −1) clipped low; (0.5, 1) not; (1, 1) not; 6th masked
    const [rho, adv] = [[1.5, 1.5, 0.5, 0.5, 1, 7], [1, -1, -1, 1, 1, 5]];
    const lp = [rho.map(Math.log)];
    const zeros = [rho.map(() => 0)];
    const m = [[1, 1, 1, 1, 1, 0]];
    const out = ppoPolicyLoss(t2(lp), t2(zeros), t2([adv]), t2(m), 0.2);
    expectNear(scalar(out.clipfrac), 2 / 5);
    // −min(ρA, clip(ρ)A): −1.2, 1.5, 0.8, −0.5, −1
    expectNear(scalar(out.loss), (-1.2 + 1.5 + 0.8 - 0.5 - 1) / 5);
    expectNear(scalar(out.approxkl), (0.5 * (2 * Math.log(1.5) ** 2 + 2 * Math.log(2) ** 2)) / 5);
    // d/d log π of −ρA is −ρA (÷ 5 tokens) where unclipped, 0 where clipped or masked
    const g = values(tf.grad((x: tf.Tensor) => ppoPolicyLoss(x, t2(zeros), t2([adv]), t2(m), 0.2).loss)(t2(lp)));
    [0, 1.5 / 5, 0, -0.5 / 5, -1 / 5, 0].forEach((v, i) => expectNear(g[i]!, v));
  });

  it("is −mean(A) with nothing clipped and approxkl 0 when π = π_old", () => {
    const out = ppoPolicyLoss(t2(old), t2(old), t2(tokenAdv), t2(mask), EPS);
    expectNear(scalar(out.loss), -maskedMean(mask, (b, t) => tokenAdv[b]![t]!));
    expect(scalar(out.clipfrac)).toBe(0);
    expect(scalar(out.approxkl)).toBe(0);
  });
});

describe("ppoValueLoss", () => {
  // V_old ± 0.5 around the returns' scale; avoid the kinks (|V − V_old| = ε, and equal errors).
  const oldV: Grid = mask.map((row) => row.map(() => between(-1, 1)));
  const ret: Grid = mask.map((row) => row.map(() => between(-1.5, 1.5)));
  const v: Grid = oldV.map((row, b) => row.map((o, t) => {
    for (;;) {
      const x = o + between(-0.5, 0.5);
      const c = clip(x, o - EPS, o + EPS);
      if (Math.abs(Math.abs(x - o) - EPS) > 2e-3 && (c === x || Math.abs((x - ret[b]![t]!) ** 2 - (c - ret[b]![t]!) ** 2) > 2e-3)) return x;
    }
  }));

  it("matches the naive reference (loss and val clipfrac) on random ragged inputs", () => {
    const out = ppoValueLoss(t2(v), t2(oldV), t2(ret), t2(mask), EPS);
    const naive = naiveValue(v, oldV, ret, mask, EPS);
    expectNear(scalar(out.loss), naive.loss);
    expectNear(scalar(out.clipfrac), naive.clipfrac);
  });

  it("has gradients in V matching central finite differences", () => {
    const g = values(tf.grad((x: tf.Tensor) => ppoValueLoss(x, t2(oldV), t2(ret), t2(mask), EPS).loss)(t2(v)));
    numericGrad((x) => naiveValue(x, oldV, ret, mask, EPS).loss, v).forEach((n, i) => expectNear(g[i]!, n, 1e-4));
  });

  it("takes the larger of the clipped and unclipped errors, by hand", () => {
    // V_old = 0, ε = 0.2: (V, R) = (0.5, 1): max(0.25, (0.2 − 1)² = 0.64), clipped;
    // (0.5, 0): max(0.25, 0.04) = 0.25; (0.1, 1): inside the range, 0.81
    const out = ppoValueLoss(t2([[0.5, 0.5, 0.1]]), t2([[0, 0, 0]]), t2([[1, 0, 1]]), t2([[1, 1, 1]]), 0.2);
    expectNear(scalar(out.loss), (0.5 * (0.64 + 0.25 + 0.81)) / 3);
    expectNear(scalar(out.clipfrac), 1 / 3);
  });
});

describe("entropyFromLogits", () => {
  const vocab = 6;
  const logits = mask.map((row) => row.map(() => Array.from({ length: vocab }, () => between(-3, 3))));

  it("matches −Σ p·log p, masked mean, and is ln V for uniform logits", () => {
    expectNear(scalar(entropyFromLogits(tf.tensor3d(logits), t2(mask))), naiveEntropy(logits, mask));
    expectNear(scalar(entropyFromLogits(tf.fill([2, 3, vocab], 0.7), tf.ones([2, 3]))), Math.log(vocab));
  });

  it("is the masked mean of tokenEntropy, whose every token is −Σ p·log p (what ORT's policy graph outputs)", () => {
    const perToken = tokenEntropy(tf.tensor3d(logits)).arraySync() as number[][];
    mask.forEach((row, b) => row.forEach((_, t) => expectNear(perToken[b]![t]!, naiveEntropy([[logits[b]![t]!]], [[1]]))));
    expectNear(scalar(meanEntropy(tf.tensor2d(perToken), t2(mask))), scalar(entropyFromLogits(tf.tensor3d(logits), t2(mask))));
  });

  it("has gradients in the logits matching central finite differences", () => {
    const g = values(tf.grad((z: tf.Tensor) => entropyFromLogits(z, t2(mask)))(tf.tensor3d(logits)));
    const flat = logits.flat();
    const numeric = numericGrad((rows) => naiveEntropy(mask.map((row, b) => row.map((_, t) => rows[b * T + t]!)), mask), flat);
    numeric.forEach((n, i) => expectNear(g[i]!, n, 1e-4));
  });
});

describe("grpoLoss", () => {
  const o = { clipRange: EPS, beta: 0.3 };

  it("matches the naive reference (loss, kl, clipfrac): sequence means, an all-padding row counting 0", () => {
    const out = grpoLoss(t2(logp), t2(old), t2(ref), tf.tensor1d(seqAdv), t2(mask), o);
    const naive = naiveGrpo(logp, old, ref, seqAdv, mask, EPS, o.beta);
    expectNear(scalar(out.loss), naive.loss);
    expectNear(scalar(out.kl), naive.kl);
    expectNear(scalar(out.clipfrac), naive.clipfrac);
    expect(naive.clipfrac).toBeGreaterThan(0);
  });

  it("has gradients in log π matching central finite differences", () => {
    const g = values(tf.grad((lp: tf.Tensor) => grpoLoss(lp, t2(old), t2(ref), tf.tensor1d(seqAdv), t2(mask), o).loss)(t2(logp)));
    numericGrad((lp) => naiveGrpo(lp, old, ref, seqAdv, mask, EPS, o.beta).loss, logp).forEach((n, i) => expectNear(g[i]!, n, 1e-4));
  });

  it("by hand: −mean(A) at π = π_old = π_ref; β·k3 averaged over a sequence's tokens otherwise", () => {
    const lp = [[-1, -2], [-0.5, -3]];
    const atRef = grpoLoss(t2(lp), t2(lp), t2(lp), tf.tensor1d([1, -0.5]), tf.ones([2, 2]), { clipRange: 0.2, beta: 0.1 });
    expectNear(scalar(atRef.loss), -(1 - 0.5) / 2);
    expect(scalar(atRef.kl)).toBe(0);
    // one sequence, A = 0, log π_ref − log π = (0.5, 0): k3 = (e^0.5 − 1.5, 0)
    const moved = grpoLoss(t2([[-1, -2]]), t2([[-1, -2]]), t2([[-0.5, -2]]), tf.tensor1d([0]), tf.ones([1, 2]), { clipRange: 0.2, beta: 0.1 });
    expectNear(scalar(moved.loss), (0.1 * (Math.exp(0.5) - 1.5)) / 2);
    expectNear(scalar(moved.kl), (Math.exp(0.5) - 1.5) / 2);
  });
});

describe("rlooLoss", () => {
  const seqLogp = logp.map((row) => row.reduce((s, x) => s + x, 0) / 2);
  const oldSeq = seqLogp.map((x) => x - logRatio());

  it("matches the naive reference (loss and clipfrac) on random sequences", () => {
    const out = rlooLoss(tf.tensor1d(seqLogp), tf.tensor1d(oldSeq), tf.tensor1d(seqAdv), { clipRange: EPS });
    const naive = naiveRloo(seqLogp, oldSeq, seqAdv, EPS);
    expectNear(scalar(out.loss), naive.loss);
    expectNear(scalar(out.clipfrac), naive.clipfrac);
  });

  it("has gradients in the sequence log-probs matching central finite differences", () => {
    const g = values(tf.grad((lp: tf.Tensor) => rlooLoss(lp, tf.tensor1d(oldSeq), tf.tensor1d(seqAdv), { clipRange: EPS }).loss)(tf.tensor1d(seqLogp)));
    numericGrad((lp) => naiveRloo(lp[0]!, oldSeq, seqAdv, EPS).loss, [seqLogp]).forEach((n, i) => expectNear(g[i]!, n, 1e-4));
  });

  it("by hand: REINFORCE −mean(A) on-policy; a sequence whose ratio passed 1 + ε with A > 0 is clipped", () => {
    const onPolicy = rlooLoss(tf.tensor1d([-3, -5]), tf.tensor1d([-3, -5]), tf.tensor1d([2, -1]), { clipRange: 0.2 });
    expectNear(scalar(onPolicy.loss), -(2 - 1) / 2);
    expect(scalar(onPolicy.clipfrac)).toBe(0);
    // ρ = e^0.5 ≈ 1.65, A = 2: −min(3.30, 1.2·2) = −2.4; ρ = 1, A = −1: 1
    const moved = rlooLoss(tf.tensor1d([-2.5, -5]), tf.tensor1d([-3, -5]), tf.tensor1d([2, -1]), { clipRange: 0.2 });
    expectNear(scalar(moved.loss), (-2.4 + 1) / 2);
    expectNear(scalar(moved.clipfrac), 1 / 2);
  });
});
