// PPO (Schulman 2017) on CartPole-v1, built on preflab's shared RL math: GAE and whitening from
// advantages.ts, the clipped policy and value losses from losses.ts. The point is to prove that
// core on a task whose solved score is known (mean return ≥ 475 of 500), so everything else here
// is as plain as PPO gets: an MLP policy, a separate MLP value, Adam with global-norm clipping.
//
// Each episode's stretch inside a rollout is one GAE sequence. Its end is bootstrapped unless the
// pole truly fell: a 500-step truncation, or a rollout ending mid-episode, is cut by a clock, not
// by the task, so its last reward gets + γ·V(next state) (the same δ as a GAE with that value).
import * as tf from "@tensorflow/tfjs-core";
import { createRng, seedFromString, shuffle, type Rng } from "../../stats/random";
import { AdamW } from "../train/optimizer";
import { gae, whiten } from "./advantages";
import { CartPole, type CartPoleAction, type CartPoleState } from "./cartpole";
import { ppoPolicyLoss, ppoValueLoss } from "./losses";

export interface CartPolePpoConfig {
  /** One seed for the weights, environments and action sampling: the same run every time. */
  seed: number;
  /** Environments stepped side by side, so that one policy forward serves several steps. */
  numEnvs: number;
  /** Steps per environment per rollout (a rollout is numEnvs × this steps). */
  rolloutSteps: number;
  /** Optimisation passes over each rollout. */
  epochs: number;
  /** Steps per gradient step (shuffled across episodes and environments). */
  miniBatch: number;
  gamma: number;
  /** GAE's λ: bias (0) against variance (1) of the advantage. */
  lambda: number;
  /** ε of the clipped surrogate. */
  clipRange: number;
  /** How far a value may move from its rollout value before its loss is clipped (Infinity: never). */
  clipRangeValue: number;
  /** Weight of the value loss in the one loss both networks are stepped on. */
  valueCoef: number;
  learningRate: number;
  /** Global gradient-norm clip over both networks (0: none). */
  maxGradNorm: number;
  /** Width of both hidden layers of both networks. */
  hidden: number;
  /** Training budget in rollout-and-update iterations. */
  maxUpdates: number;
  /** Training stops once the evaluation's mean return reaches this (CartPole-v1 is solved at 475). */
  targetReturn: number;
  evalEpisodes: number;
  /** "sampled" acts from π (the stricter test), "greedy" takes the likelier action. */
  evalMode: "sampled" | "greedy";
}

/**
 * rl-baselines3-zoo's tuned PPO for CartPole-v1 (8 envs × 32 steps, the whole 256-step rollout as
 * one minibatch, γ 0.98, λ 0.8, lr 1e-3, no entropy bonus, no value clipping) with two changes for
 * speed: 10 epochs where the zoo takes 20 (half the gradient steps; 5 failed one seed in four), and
 * a constant learning rate and clip range where the zoo anneals both to 0 over 1e5 steps (the run
 * stops once solved, well before). Seeds 1–8 on wasm all solved it in 37–61k steps.
 */
export const CARTPOLE_PPO: CartPolePpoConfig = {
  seed: 1,
  numEnvs: 8,
  rolloutSteps: 32,
  epochs: 10,
  miniBatch: 256,
  gamma: 0.98,
  lambda: 0.8,
  clipRange: 0.2,
  clipRangeValue: Infinity,
  valueCoef: 0.5,
  learningRate: 1e-3,
  maxGradNorm: 0.5,
  hidden: 64,
  maxUpdates: 400,
  targetReturn: 475,
  evalEpisodes: 100,
  evalMode: "sampled",
};

/** An MLP as its variables: [w1, b1, w2, b2, w3, b3], weights [in, out]. */
export type Mlp = tf.Variable[];

/** Glorot-uniform weights from our own stream; `outGain` shrinks the last layer (0.01: π starts near uniform). */
function initMlp(rng: Rng, sizes: number[], outGain: number): Mlp {
  return sizes.slice(1).flatMap((fanOut, l) => {
    const fanIn = sizes[l]!;
    const limit = Math.sqrt(6 / (fanIn + fanOut)) * (l === sizes.length - 2 ? outGain : 1);
    const w = Float32Array.from({ length: fanIn * fanOut }, () => (2 * rng() - 1) * limit);
    return [tf.variable(tf.tensor2d(w, [fanIn, fanOut])), tf.variable(tf.zeros([fanOut]))];
  });
}

/** [n, in] → [n, out], tanh between layers. */
function mlp(params: Mlp, x: tf.Tensor2D): tf.Tensor2D {
  let h: tf.Tensor2D = x;
  for (let l = 0; l < params.length; l += 2) {
    h = tf.add(tf.matMul(h, params[l] as tf.Tensor2D), params[l + 1]!);
    if (l + 2 < params.length) h = tf.tanh(h);
  }
  return h;
}

/** log π(action | obs) for each row: obs [n, 4], actions [n] int32 → [n]. One-hot, not gather (wasm lacks its gradient). */
function actionLogprobs(policy: Mlp, obs: tf.Tensor2D, actions: tf.Tensor1D): tf.Tensor1D {
  return tf.sum(tf.mul(tf.logSoftmax(mlp(policy, obs)), tf.oneHot(actions, 2)), -1);
}

/** P(push right) for each state, in one forward. */
function rightProbs(policy: Mlp, states: CartPoleState[]): Float32Array {
  return tf.tidy(() => {
    const probs = tf.softmax(mlp(policy, tf.tensor2d(states.flat(), [states.length, 4])));
    return probs.slice([0, 1], [-1, 1]).dataSync() as Float32Array;
  });
}

function act(pRight: number, mode: "sampled" | "greedy", rng: Rng): CartPoleAction {
  return (mode === "greedy" ? pRight > 0.5 : rng() < pRight) ? 1 : 0;
}

/** Returns of `episodes` fresh episodes (seeded apart from training), stepped side by side. */
export function evaluateCartPole(policy: Mlp, episodes: number, seed: number, mode: "sampled" | "greedy"): number[] {
  const envs = Array.from({ length: episodes }, (_, i) => new CartPole(seedFromString(`cartpole:eval:${seed}:${i}`)));
  const rng = createRng(seedFromString(`cartpole:eval-actions:${seed}`));
  const obs = envs.map((env) => env.reset());
  const returns = new Array<number>(episodes).fill(0);
  let alive = envs.map((_, i) => i);
  while (alive.length > 0) {
    const p = rightProbs(policy, alive.map((i) => obs[i]!));
    alive = alive.filter((i, k) => {
      const step = envs[i]!.step(act(p[k]!, mode, rng));
      returns[i] += step.reward;
      obs[i] = step.observation;
      return !(step.terminated || step.truncated);
    });
  }
  return returns;
}

/** The environments between rollouts: episodes carry over from one rollout to the next. */
interface Runner {
  envs: CartPole[];
  obs: CartPoleState[];
  episodeReturn: number[];
  /** Returns of every finished training episode, in order. */
  finished: number[];
}

/** One episode's contiguous stretch of a rollout; `boot` is its row of bootObs, or -1 when the pole fell. */
interface Segment { start: number; length: number; boot: number }

interface Rollout {
  obs: number[]; // [steps * 4], env-major: step t of env e is row e * rolloutSteps + t
  actions: number[]; // [steps]
  rewards: number[]; // [steps]
  segments: Segment[];
  bootObs: number[]; // [boots * 4]: states whose value closes a cut segment
}

function collect(runner: Runner, policy: Mlp, steps: number, rng: Rng): Rollout {
  const n = runner.envs.length;
  const ro: Rollout = { obs: new Array(n * steps * 4), actions: new Array(n * steps), rewards: new Array(n * steps), segments: [], bootObs: [] };
  const segStart = new Array<number>(n).fill(0);
  const close = (e: number, end: number, bootState: CartPoleState | null) => {
    const boot = bootState ? ro.bootObs.push(...bootState) / 4 - 1 : -1;
    ro.segments.push({ start: e * steps + segStart[e]!, length: end - segStart[e]!, boot });
    segStart[e] = end;
  };
  for (let t = 0; t < steps; t++) {
    const p = rightProbs(policy, runner.obs);
    for (let e = 0; e < n; e++) {
      const row = e * steps + t;
      const action = act(p[e]!, "sampled", rng);
      for (let j = 0; j < 4; j++) ro.obs[row * 4 + j] = runner.obs[e]![j]!;
      const step = runner.envs[e]!.step(action);
      [ro.actions[row], ro.rewards[row]] = [action, step.reward];
      runner.episodeReturn[e] += step.reward;
      runner.obs[e] = step.observation;
      if (!step.terminated && !step.truncated) continue;
      close(e, t + 1, step.terminated ? null : step.observation);
      runner.finished.push(runner.episodeReturn[e]!);
      runner.episodeReturn[e] = 0;
      runner.obs[e] = runner.envs[e]!.reset();
    }
  }
  for (let e = 0; e < n; e++) if (segStart[e]! < steps) close(e, steps, runner.obs[e]!);
  return ro;
}

/** Per-step PPO inputs of a rollout: π_old log-probs and values in one batched forward, then GAE per segment. */
interface Targets { oldLogp: Float32Array; oldValues: Float32Array; advantages: Float32Array; returns: Float32Array }

function targets(policy: Mlp, value: Mlp, ro: Rollout, cfg: CartPolePpoConfig): Targets {
  const steps = ro.actions.length;
  const [oldLogp, allValues] = tf.tidy(() => {
    const obs = tf.tensor2d(ro.obs, [steps, 4]);
    const logp = actionLogprobs(policy, obs, tf.tensor1d(ro.actions, "int32")); // [steps]
    const values = mlp(value, tf.tensor2d([...ro.obs, ...ro.bootObs], [steps + ro.bootObs.length / 4, 4])); // [steps + boots, 1]
    return [logp.dataSync() as Float32Array, values.dataSync() as Float32Array];
  });
  const oldValues = allValues.slice(0, steps);
  const perSegment = ro.segments.map(({ start, length, boot }) => {
    const rewards = ro.rewards.slice(start, start + length);
    if (boot >= 0) rewards[length - 1] += cfg.gamma * allValues[steps + boot]!;
    return gae(rewards, Array.from(oldValues.subarray(start, start + length)), cfg.gamma, cfg.lambda);
  });
  const whitened = whiten(perSegment.map((s) => s.advantages));
  const advantages = new Float32Array(steps);
  const returns = new Float32Array(steps);
  ro.segments.forEach(({ start }, s) => {
    advantages.set(whitened[s]!, start);
    returns.set(perSegment[s]!.returns, start);
  });
  return { oldLogp, oldValues, advantages, returns };
}

/** One minibatch's loss: its steps as [mb, 1], i.e. mb one-step sequences (the losses' [batch, T] with T = 1). */
function minibatchLoss(policy: Mlp, value: Mlp, ro: Rollout, tg: Targets, rows: number[], cfg: CartPolePpoConfig): tf.Scalar {
  const mb = rows.length;
  const col = (src: ArrayLike<number>) => tf.tensor2d(rows.map((r) => src[r]!), [mb, 1]); // [mb, 1]
  const obs = tf.tensor2d(rows.flatMap((r) => ro.obs.slice(r * 4, r * 4 + 4)), [mb, 4]);
  const logp = tf.reshape(actionLogprobs(policy, obs, tf.tensor1d(rows.map((r) => ro.actions[r]!), "int32")), [mb, 1]);
  const mask = tf.ones([mb, 1]);
  const pg = ppoPolicyLoss(logp, col(tg.oldLogp), col(tg.advantages), mask, cfg.clipRange);
  const vf = ppoValueLoss(mlp(value, obs), col(tg.oldValues), col(tg.returns), mask, cfg.clipRangeValue);
  return tf.add(pg.loss, tf.mul(vf.loss, cfg.valueCoef));
}

export interface CartPoleUpdate {
  update: number;
  envSteps: number;
  /** Mean return of the last 20 finished training episodes (sampled actions). */
  trainReturn: number;
  /** Approximate KL(π_old ‖ π) and clip fraction over the whole rollout after the update's epochs. */
  approxkl: number;
  clipfrac: number;
  /** Mean return of the evaluation run after this update, when one ran. */
  evalReturn?: number;
}

function ppoUpdate(nets: { policy: Mlp; value: Mlp }, opt: AdamW, ro: Rollout, tg: Targets, cfg: CartPolePpoConfig, rng: Rng): Pick<CartPoleUpdate, "approxkl" | "clipfrac"> {
  const vars = [...nets.policy, ...nets.value];
  const params = Object.fromEntries(vars.map((v) => [v.name, v]));
  const order = Array.from({ length: ro.actions.length }, (_, i) => i);
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    shuffle(rng, order);
    for (let b = 0; b + cfg.miniBatch <= order.length; b += cfg.miniBatch) {
      const rows = order.slice(b, b + cfg.miniBatch);
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => minibatchLoss(nets.policy, nets.value, ro, tg, rows, cfg), vars);
        opt.step(params, grads, cfg.learningRate);
      });
    }
  }
  return tf.tidy(() => {
    const stats = ppoPolicyLoss(
      tf.reshape(actionLogprobs(nets.policy, tf.tensor2d(ro.obs, [order.length, 4]), tf.tensor1d(ro.actions, "int32")), [1, -1]),
      tf.tensor2d(tg.oldLogp, [1, order.length]), tf.tensor2d(tg.advantages, [1, order.length]), tf.ones([1, order.length]), cfg.clipRange);
    return { approxkl: stats.approxkl.dataSync()[0]!, clipfrac: stats.clipfrac.dataSync()[0]! };
  });
}

export interface CartPoleRun {
  updates: CartPoleUpdate[];
  envSteps: number;
  /** Returns of the final evaluation's episodes. */
  evaluation: number[];
  policy: Mlp;
  dispose(): void;
}

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(xs.length, 1);

/**
 * Trains until an evaluation of `evalEpisodes` episodes reaches `targetReturn`, or the budget runs
 * out. The (costly) evaluation runs only once the recent training episodes are themselves there.
 */
export function trainCartPole(cfg: CartPolePpoConfig, onUpdate?: (u: CartPoleUpdate) => void): CartPoleRun {
  const rng = createRng(cfg.seed);
  const nets = { policy: initMlp(rng, [4, cfg.hidden, cfg.hidden, 2], 0.01), value: initMlp(rng, [4, cfg.hidden, cfg.hidden, 1], 1) };
  const opt = new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0, gradClip: cfg.maxGradNorm, epsilon: 1e-5 });
  const envs = Array.from({ length: cfg.numEnvs }, (_, i) => new CartPole(seedFromString(`cartpole:train:${cfg.seed}:${i}`)));
  const runner: Runner = { envs, obs: envs.map((e) => e.reset()), episodeReturn: envs.map(() => 0), finished: [] };
  const updates: CartPoleUpdate[] = [];
  let evaluation: number[] = [];
  for (let update = 1; update <= cfg.maxUpdates; update++) {
    const ro = collect(runner, nets.policy, cfg.rolloutSteps, rng);
    const stats = ppoUpdate(nets, opt, ro, targets(nets.policy, nets.value, ro, cfg), cfg, rng);
    const u: CartPoleUpdate = { update, envSteps: update * cfg.numEnvs * cfg.rolloutSteps, trainReturn: mean(runner.finished.slice(-20)), ...stats };
    if (u.trainReturn >= cfg.targetReturn || update === cfg.maxUpdates) {
      evaluation = evaluateCartPole(nets.policy, cfg.evalEpisodes, cfg.seed, cfg.evalMode);
      u.evalReturn = mean(evaluation);
    }
    updates.push(u);
    onUpdate?.(u);
    if ((u.evalReturn ?? -Infinity) >= cfg.targetReturn) break;
  }
  const dispose = () => {
    opt.dispose();
    for (const v of [...nets.policy, ...nets.value]) v.dispose();
  };
  return { updates, envSteps: updates.at(-1)?.envSteps ?? 0, evaluation, policy: nets.policy, dispose };
}
