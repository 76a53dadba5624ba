// Known answers for online RL. On the 27-sequence toy language a tabular policy can represent every
// distribution, so what PPO, GRPO and RLOO converge to can be compared, by enumeration, with the
// distribution the math says they should reach: π* ∝ π_ref·exp(r/β) for PPO and RLOO (the KL-shaped
// reward makes E_π[r] − β·KL(π‖π_ref) their objective), and GRPO's own fixed point (toy-rl.ts).
// Each trainer samples batches from π_old with a fixed seed and updates as the real trainers do.
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { createRng, type Rng } from "../../stats/random";
import { initBackend } from "../backend";
import { klDivergence, prefixIndex, randomTable, tableLogProbs, tabularPolicy, tiltedOptimum, tokenLogProbs, toyLanguage, type ToyLanguage } from "../dpo/toy-language";
import { AdamW } from "../train/optimizer";
import { gae, groupAdvantages, leaveOneOutAdvantages, shapedRewards, whiten } from "./advantages";
import { klPerToken } from "./kl";
import { grpoLoss, ppoPolicyLoss, ppoValueLoss, rlooLoss } from "./losses";
import { grpoFixedPoint, prefixRows, rowLogProbs, sampleRollout, type Rollout } from "./toy-rl";

const BETA = 1; // r ∈ [−2, 2]: π* is well away from both π_ref and a point mass
const ITERATIONS = 100; // rollouts; AdamW's learning rate decays linearly to 0 over them
const LEARNING_RATE = 0.05;
const BATCH = 256; // samples per rollout
const EPOCHS = 4; // full-batch updates per rollout (TRL's num_ppo_epochs, preflab's updateEpochs)
const CLIP = 0.2; // ε (TRL's cliprange / epsilon / cliprange_value)
const GROUP = 64; // GRPO: 4 groups of 64, near the large-group limit its fixed point is computed in
const RLOO_K = 4; // RLOO: 64 groups of 4
// KL(π‖target) after training must stay below BOUND; every wrong implementation's limit must lie
// further than SEPARATION from the target (here the closest are β doubled, 0.085 from π*, and π*
// itself, 0.054 from GRPO's fixed point). Observed over seeds 1-3 and this one, 100 rollouts:
// PPO 5.6e-6..6e-5, RLOO 2e-10..4.2e-6 (at π* the KL-shaped return r − β·log(π/π_ref) is the same
// for every sequence, so their gradient noise dies out as they approach it), GRPO 7.4e-4..2.1e-3 from
// its fixed point (with groups of 16: 2.6e-3, of 4: 0.044, the bias of small groups' mean and std).
const BOUND = { ppo: 1e-3, rloo: 1e-3, grpo: 5e-3 };
const SEPARATION = 0.05;

beforeAll(async () => {
  await initBackend("cpu");
});

interface Setup { lang: ToyLanguage; refTable: number[][]; refRows: number[][]; reward: number[] }

/** An algorithm as the trainer sees it: extra trainable state, and the loss of one rollout. */
interface Algorithm {
  variables: tf.Variable[];
  lossOf(ro: Rollout, table: tf.Variable<tf.Rank.R2>): () => tf.Scalar;
}

/** Sample from π_old, then EPOCHS AdamW steps on the algorithm's loss; log π of all 27 sequences at the end. */
function train(s: Setup, rng: Rng, algorithm: Algorithm): number[] {
  const table = tabularPolicy(s.refTable); // π starts at π_ref
  const variables = [table, ...algorithm.variables];
  const params = Object.fromEntries(variables.map((v) => [v.name, v]));
  const optimizer = new AdamW({ beta1: 0.9, beta2: 0.999, weightDecay: 0, gradClip: 0 });
  for (let it = 0; it < ITERATIONS; it++) {
    const current = table.arraySync();
    const loss = algorithm.lossOf(sampleRollout(s.lang, rng, rowLogProbs(current), s.refRows, tableLogProbs(s.lang, current), BATCH), table);
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      tf.tidy(() => optimizer.step(params, tf.variableGrads(loss, variables).grads, LEARNING_RATE * (1 - it / ITERATIONS)));
    }
  }
  const logps = tableLogProbs(s.lang, table.arraySync());
  tf.dispose(variables);
  optimizer.dispose();
  return logps;
}

const fullMask = () => tf.ones([BATCH, 3]); // every response has all 3 tokens

/** PPO as TRL: k1 KL-shaped per-token rewards, a tabular value function (one V per prefix), GAE(γ = 1, λ = 0.95), whitened advantages. */
function ppo(s: Setup): Algorithm {
  const value = tf.variable(tf.zeros([s.lang.prefixCount])); // [13]
  return {
    variables: [value],
    lossOf(ro, table) {
      const valueTable = value.dataSync();
      const oldValues = ro.prefixes.map((p) => p.map((i) => valueTable[i]!));
      const perSequence = ro.indices.map((i, b) => gae(shapedRewards(s.reward[i]!, klPerToken(ro.oldLogp[b]!, ro.refLogp[b]!, "k1"), BETA), oldValues[b]!, 1, 0.95));
      const advantages = whiten(perSequence.map((x) => x.advantages));
      return () => {
        const values = tf.reshape(tf.gather(value, tf.tensor1d(ro.prefixes.flat(), "int32")), [BATCH, 3]); // [batch, 3]
        const policy = ppoPolicyLoss(tokenLogProbs(s.lang, table, ro.sequences), tf.tensor2d(ro.oldLogp), tf.tensor2d(advantages), fullMask(), CLIP);
        const critic = ppoValueLoss(values, tf.tensor2d(oldValues), tf.tensor2d(perSequence.map((x) => x.returns)), fullMask(), CLIP);
        return tf.add(policy.loss, tf.mul(0.1, critic.loss)); // TRL's vf_coef
      };
    },
  };
}

/** GRPO as TRL: group-normalised advantages of the raw reward, the k3 KL as a loss term. */
const grpo = (s: Setup): Algorithm => ({
  variables: [],
  lossOf(ro, table) {
    const advantages = groupAdvantages(ro.indices.map((i) => s.reward[i]!), GROUP);
    return () => grpoLoss(tokenLogProbs(s.lang, table, ro.sequences), tf.tensor2d(ro.oldLogp), tf.tensor2d(ro.refLogp), tf.tensor1d(advantages), fullMask(), { clipRange: CLIP, beta: BETA }).loss;
  },
});

/** RLOO as TRL: sequence reward r − β·Σ_t k1, leave-one-out baseline, clipped sequence ratio. */
const rloo = (s: Setup): Algorithm => ({
  variables: [],
  lossOf(ro, table) {
    const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
    const rewards = ro.indices.map((i, b) => s.reward[i]! - BETA * sum(klPerToken(ro.oldLogp[b]!, ro.refLogp[b]!, "k1")));
    const advantages = leaveOneOutAdvantages(rewards, RLOO_K);
    const oldSeq = ro.oldLogp.map(sum);
    return () => rlooLoss(tf.sum(tokenLogProbs(s.lang, table, ro.sequences), 1), tf.tensor1d(oldSeq), tf.tensor1d(advantages), { clipRange: CLIP }).loss;
  },
});

/**
 * GRPO's expected on-policy gradient in the logit table, by enumeration (large-group limit, ρ = 1):
 * Σ_y π(y)·Σ_t [−A(y) + β·(1 − π_ref/π)(y_t)]·∇ log π(y_t | y_<t), A = (r − E r)/std r. [prefix][vocab]
 */
function expectedGrpoGradient(s: Setup, seqLogps: number[]): number[][] {
  const rows = prefixRows(s.lang, seqLogps);
  const p = seqLogps.map(Math.exp);
  const mean = p.reduce((a, pi, i) => a + pi * s.reward[i]!, 0);
  const std = Math.sqrt(p.reduce((a, pi, i) => a + pi * (s.reward[i]! - mean) ** 2, 0));
  const grad = rows.map((row) => row.map(() => 0));
  s.lang.sequences.forEach((y, i) =>
    y.forEach((token, t) => {
      const row = prefixIndex(s.lang, y.slice(0, t));
      const weight = p[i]! * (-(s.reward[i]! - mean) / std + BETA * (1 - Math.exp(s.refRows[row]![token]! - rows[row]![token]!)));
      rows[row]!.forEach((lp, a) => (grad[row]![a]! += weight * (Number(a === token) - Math.exp(lp))));
    }),
  );
  return grad;
}

describe("online RL on the toy language", () => {
  const lang = toyLanguage(3, 3);
  const rng = createRng(8086);
  const refTable = randomTable(lang, rng, 1);
  const refLogps = tableLogProbs(lang, refTable);
  const reward = lang.sequences.map(() => 2 * (2 * rng() - 1)); // uniform in [−2, 2]
  const s: Setup = { lang, refTable, refRows: rowLogProbs(refTable), reward };
  const optimum = tiltedOptimum(refLogps, reward, BETA);
  const pointMass = reward.map((r) => (r === Math.max(...reward) ? 0 : -Infinity)); // argmax r: no KL term at all
  const grpoPoint = grpoFixedPoint(lang, refTable, reward, BETA).logps;

  /** Trains, then checks the bound and that every wrong limit lies beyond SEPARATION. */
  function expectConverges(name: keyof typeof BOUND, algorithm: (s: Setup) => Algorithm, target: number[], wrong: Record<string, number[]>) {
    const start = performance.now();
    const kl = klDivergence(train(s, createRng(1), algorithm(s)), target);
    const wrongKl = Object.fromEntries(Object.entries(wrong).map(([what, logps]) => [what, klDivergence(logps, target)]));
    console.log(`${name}: KL(π‖target)`, { trained: kl, ...wrongKl, seconds: (performance.now() - start) / 1000 });
    expect(kl).toBeLessThan(BOUND[name]);
    for (const [what, value] of Object.entries(wrongKl)) expect(value, what).toBeGreaterThan(SEPARATION);
  }

  // What a wrong implementation would converge to, in closed form: a flipped reward sign, no KL term
  // (all mass on argmax r), the KL term counted twice, or nothing learnt.
  const wrongForOptimum = {
    untrained: refLogps,
    wrongSign: tiltedOptimum(refLogps, reward.map((r) => -r), BETA),
    noKlTerm: pointMass,
    doubledBeta: tiltedOptimum(refLogps, reward, 2 * BETA),
  };

  it("PPO with the KL-shaped reward, a value table and GAE converges from π_ref to π* ∝ π_ref·exp(r/β)", () => {
    expectConverges("ppo", ppo, optimum, wrongForOptimum);
  });

  it("RLOO on the KL-shaped sequence reward converges from π_ref to π*", () => {
    expectConverges("rloo", rloo, optimum, wrongForOptimum);
  });

  it("GRPO's fixed point is where its expected gradient vanishes, and it is not π*", () => {
    const largest = (g: number[][]) => Math.max(...g.flat().map(Math.abs));
    expect(largest(expectedGrpoGradient(s, grpoPoint))).toBeLessThan(1e-9);
    expect(largest(expectedGrpoGradient(s, optimum))).toBeGreaterThan(1e-2);
    expect(klDivergence(grpoPoint, optimum)).toBeGreaterThan(SEPARATION); // 0.079 here; σ_π = 0.80, so to first order GRPO acts as if β were 0.8
  });

  it("GRPO with the k3 KL loss term converges from π_ref to its own fixed point, not to π*", () => {
    expectConverges("grpo", grpo, grpoPoint, {
      optimum, // π* itself: GRPO does not get there
      untrained: refLogps,
      wrongSign: grpoFixedPoint(lang, refTable, reward.map((r) => -r), BETA).logps,
      noKlTerm: pointMass,
      doubledBeta: grpoFixedPoint(lang, refTable, reward, 2 * BETA).logps,
    });
  });
});
