import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend";
import { CARTPOLE, CartPole, cartPoleDynamics, type CartPoleState } from "./cartpole";
import { CARTPOLE_PPO, trainCartPole } from "./cartpole-agent";

const expectState = (got: CartPoleState, want: number[]) => got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));

/** Lean-following PD control: balances every seeded episode it is given here to the time limit. */
const pd = ([, , theta, thetaDot]: CartPoleState) => (theta + 0.5 * thetaDot > 0 ? 1 : 0);

describe("CartPole-v1", () => {
  it("steps from rest by hand: a push right gives ẍ = 400/41 and θ̈ = −600/41", () => {
    // From rest, cos θ = 1 and sin θ = 0: temp = F / (M + m) = 100/11, and the denominator
    // l (4/3 − m / (M + m)) = 0.5 · 41/33, so θ̈ = −(100/11) / (41/66) and ẍ = temp − m l θ̈ / (M + m).
    let s = cartPoleDynamics([0, 0, 0, 0], 1);
    expectState(s, [0, 0.02 * (400 / 41), 0, -0.02 * (600 / 41)]);
    s = cartPoleDynamics(s, 1); // Euler: positions move with the previous velocities
    expectState(s, [0.02 * 0.02 * (400 / 41), 2 * 0.02 * (400 / 41), -0.02 * 0.02 * (600 / 41), -2 * 0.02 * (600 / 41)]);
    s = cartPoleDynamics(s, 0);
    expectState(s, [0.011707317073170733, 0.19520443149030264, -0.0175609756097561, -0.2945326253197778]);
  });

  it("steps a leaning, spinning pole as Gymnasium's equations do", () => {
    // Reference: Gymnasium's CartPoleEnv.step written out in float64 Python.
    expectState(cartPoleDynamics([0.01, -0.02, 0.03, 0.04], 0), [0.0096, -0.21553901710278936, 0.0308, 0.3419952237760392]);
  });

  it("starts every state variable uniformly in ±0.05, the same for the same seed", () => {
    const starts = Array.from({ length: 200 }, (_, i) => new CartPole(i).reset());
    expect(starts.flat().every((v) => Math.abs(v) <= 0.05)).toBe(true);
    expect(Math.max(...starts.flat())).toBeGreaterThan(0.045);
    expect(new CartPole(7).reset()).toEqual(new CartPole(7).reset());
    expect(new CartPole(7).reset()).not.toEqual(new CartPole(8).reset());
  });

  it("terminates, with reward 1, once the pole leans past 12°", () => {
    const env = new CartPole(3);
    env.reset();
    const steps = [];
    for (let done = false; !done; ) {
      const step = env.step(1); // always right: the pole falls left
      steps.push(step);
      done = step.terminated || step.truncated;
    }
    const last = steps.at(-1)!;
    expect(last).toMatchObject({ reward: 1, terminated: true, truncated: false });
    expect(last.observation[2]).toBeLessThan(-CARTPOLE.thetaThreshold);
    expect(steps.slice(0, -1).every((s) => Math.abs(s.observation[2]) <= CARTPOLE.thetaThreshold && s.reward === 1)).toBe(true);
    expect(() => env.step(0)).toThrow(/reset/);
  });

  it("truncates a balanced episode at exactly 500 steps, without terminating it", () => {
    const env = new CartPole(0);
    let obs = env.reset();
    let ret = 0;
    for (let t = 1; t <= 500; t++) {
      const step = env.step(pd(obs));
      ret += step.reward;
      obs = step.observation;
      expect(step.terminated).toBe(false);
      expect(step.truncated).toBe(t === 500);
    }
    expect(ret).toBe(500);
  });
});

describe("PPO on CartPole-v1", () => {
  beforeAll(async () => {
    // wasm (SIMD): about 4× less CPU than the cpu backend for this run's 64-wide layers.
    await initBackend("wasm");
  });

  // Sampled actions, the stricter standard: a greedy policy hides a π that still hesitates.
  // About 25 s of CPU (seed 1: 187 updates, 47,872 steps); wall time is whatever the machine allows.
  it("reaches a mean return ≥ 475 over 100 sampled-action episodes", () => {
    const started = Date.now();
    const run = trainCartPole(CARTPOLE_PPO, (u) => {
      if (u.evalReturn !== undefined) console.log(`update ${u.update} (${u.envSteps} steps, ${((Date.now() - started) / 1000).toFixed(0)} s): evaluation ${u.evalReturn}`);
    });
    try {
      expect(run.evaluation).toHaveLength(100);
      expect(run.evaluation.reduce((a, r) => a + r, 0) / 100).toBeGreaterThanOrEqual(475);
    } finally {
      run.dispose();
    }
  }, 600_000);
});
