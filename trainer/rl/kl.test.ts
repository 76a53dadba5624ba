import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createRng } from "../../stats/random";
import { initBackend } from "../backend";
import { logNormalize } from "../dpo/toy-language";
import { AdaptiveKlController, FixedKlController, KL_ESTIMATORS, klPerToken, klTensor } from "./kl";

/** |a − e| ≤ tol, relative once |e| > 1 (float32 against float64). */
function expectNear(actual: number, expected: number, tol = 1e-6) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}
const values = (t: tf.Tensor) => Array.from(t.dataSync());

const rng = createRng(424242);
const between = (lo: number, hi: number) => lo + (hi - lo) * rng();

beforeAll(async () => {
  await initBackend("cpu");
});

describe("klPerToken", () => {
  it("k1 = log π − log π_ref and k3 = e^d − 1 − d with d = log π_ref − log π, by hand", () => {
    const [logp, ref] = [[-1, -2, -0.5], [-1.5, -2, 0]]; // d = −0.5, 0, 0.5
    expect(klPerToken(logp, ref, "k1")).toEqual([0.5, 0, -0.5]);
    const k3 = klPerToken(logp, ref, "k3");
    expectNear(k3[0]!, Math.exp(-0.5) - 0.5, 1e-15); // 0.1065306597...
    expect(k3[1]).toBe(0);
    expectNear(k3[2]!, Math.exp(0.5) - 1.5, 1e-15); // 0.1487212707...
  });

  it("k3 is never negative, is 0 exactly at π = π_ref, and stays accurate for tiny differences", () => {
    const logp = Array.from({ length: 200 }, () => between(-12, 0));
    const ref = logp.map((lp) => lp + between(-8, 8));
    for (const k of klPerToken(logp, ref, "k3")) expect(k).toBeGreaterThanOrEqual(0);
    expect(klPerToken(logp, logp, "k3").every((k) => k === 0)).toBe(true);
    // d = 1e-9: d²/2 = 5e-19, which exp(d) − 1 − d would round to 0 or to ±1e-16.
    expect(Math.abs(klPerToken([0], [1e-9], "k3")[0]! - 5e-19)).toBeLessThan(1e-3 * 5e-19);
  });

  it("both are unbiased: their expectation under π of a categorical is KL(π‖π_ref)", () => {
    const pi = logNormalize([0.3, -1, 2, 0.5, -0.7]);
    const ref = logNormalize([1, 0.2, -0.4, 0, 1.5]);
    const kl = pi.reduce((s, lp, i) => s + Math.exp(lp) * (lp - ref[i]!), 0);
    for (const estimator of KL_ESTIMATORS) {
      const expectation = klPerToken(pi, ref, estimator).reduce((s, k, i) => s + Math.exp(pi[i]!) * k, 0);
      expectNear(expectation, kl, 1e-12);
    }
  });

  it("rejects log-probs and reference log-probs of different lengths", () => {
    expect(() => klPerToken([-1, -2], [-1], "k1")).toThrow(RangeError);
  });
});

describe("klTensor", () => {
  const logp = Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => between(-6, -0.1)));
  const ref = logp.map((row) => row.map((lp) => lp + between(-2, 2)));

  it.each(KL_ESTIMATORS)("%s matches klPerToken elementwise on [batch, T]", (estimator) => {
    const out = klTensor(tf.tensor2d(logp), tf.tensor2d(ref), estimator);
    expect(out.shape).toEqual([3, 4]);
    const expected = logp.flatMap((row, b) => klPerToken(row, ref[b]!, estimator));
    values(out).forEach((v, i) => expectNear(v, expected[i]!, 1e-5));
  });

  it("k3 in float32 stays accurate where π has barely moved (d = 1e-4: d²/2 + d³/6)", () => {
    const k3 = values(klTensor(tf.tensor1d([0]), tf.tensor1d([1e-4]), "k3"))[0]!;
    expect(Math.abs(k3 - 5.000166e-9)).toBeLessThan(1e-2 * 5e-9);
  });

  it.each(KL_ESTIMATORS)("%s has gradients in log π matching central finite differences", (estimator) => {
    const g = values(tf.grad((lp: tf.Tensor) => tf.sum(klTensor(lp, tf.tensor2d(ref), estimator)))(tf.tensor2d(logp)));
    const step = 1e-6;
    logp.flat().forEach((lp, i) => {
      const r = ref.flat()[i]!;
      const at = (x: number) => klPerToken([x], [r], estimator)[0]!;
      expectNear(g[i]!, (at(lp + step) - at(lp - step)) / (2 * step), 1e-4); // k3: 1 − e^d; k1: 1
    });
  });
});

describe("KL controllers", () => {
  it("the adaptive controller follows β ← β·(1 + clip(KL/target − 1, ±0.2)·n/horizon), clip included", () => {
    const c = new AdaptiveKlController(0.1, 6, 10_000);
    const expected = [
      [9, 256, 1 + (0.2 * 256) / 10_000], // KL/target − 1 = 0.5: clipped to +0.2
      [6.6, 256, 1 + (0.1 * 256) / 10_000], // +0.1: inside the clip
      [6, 512, 1], // on target: β unchanged
      [0, 1000, 1 - (0.2 * 1000) / 10_000], // −1: clipped to −0.2
      [4.8, 5000, 1 - (0.2 * 5000) / 10_000], // −0.2 exactly: at the clip
    ] as const;
    let beta = 0.1;
    for (const [kl, n, factor] of expected) {
      c.update(kl, n);
      beta *= factor;
      expectNear(c.value, beta, 1e-14);
    }
    expectNear(c.value, 0.1 * 1.00512 * 1.00256 * 0.98 * 0.9, 1e-14);
  });

  it("the adaptive controller refuses a non-positive β, target or horizon", () => {
    expect(() => new AdaptiveKlController(0, 6, 10_000)).toThrow(RangeError);
    expect(() => new AdaptiveKlController(0.1, 0, 10_000)).toThrow(RangeError);
    expect(() => new AdaptiveKlController(0.1, 6, 0)).toThrow(RangeError);
  });

  it("the fixed controller keeps its β whatever KL is measured", () => {
    const c = new FixedKlController(0.05);
    c.update();
    expect(c.value).toBe(0.05);
  });
});
