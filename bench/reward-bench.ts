// Reward-side throughput on this machine: the neural reward model's training pairs/s (forward +
// backward of the GPT-2 backbone and head, random weights: speed does not depend on values) at
// the built-in model's shapes and GPT-2 small's, the linear reward model (featurising, training,
// scoring real HH-RLHF pairs) and the policy leaderboard on 1,000,000 synthetic judgements
// among 50 policies with 1,000 bootstrap resamples.
import { availableParallelism } from "node:os";
import * as tf from "@tensorflow/tfjs-core";
import { describeBackend, initBackend } from "../trainer/backend";
import { executeGraph } from "../trainer/graph/tfjs-exec";
import { buildGpt2Graph, type Gpt2Config } from "../trainer/models/gpt2";
import { initParams } from "../trainer/models/params";
import { buildRewardBatch } from "../trainer/reward/batch";
import { initScoreWeight } from "../trainer/reward/head";
import { rewardBatchLoss, type HiddenStates } from "../trainer/reward/step";
import { aggregateJudgements, type Outcome, type PolicyJudgement } from "../stats/bradley-terry-data";
import { leaderboardFromCells } from "../stats/bradley-terry";
import { createRng, uniformInt } from "../stats/random";
import { readHhRlhf } from "../trainer/reward/hh-rlhf";
import { minimizeLbfgs } from "../trainer/reward/lbfgs";
import { DEFAULT_LINEAR_CONFIG, LinearRewardModel, linearObjective, linearProblem } from "../trainer/reward/linear";

type Row = Record<string, string | number>;

const HH_PATH = "data/hh-rlhf/harmless-base-test.part1.jsonl.gz";
const JUDGEMENTS = 1_000_000;
const POLICIES = 50;
const BOOTSTRAPS = 1000;

const GPT2_SMALL: Gpt2Config = {
  model_type: "gpt2", n_layer: 12, n_head: 12, n_embd: 768, n_positions: 1024, vocab_size: 50257,
  layer_norm_epsilon: 1e-5, activation_function: "gelu_new",
};
// The built-in policy's intended size (as in onnx-bench.ts) until models/builtin/ is committed.
const BUILTIN_STANDIN: Gpt2Config = { ...GPT2_SMALL, n_layer: 4, n_head: 4, n_embd: 256, n_positions: 256, vocab_size: 8192 };
/** Workloads: a real batch for the small model, one short pair for GPT-2 small (tfjs is slow). */
const NEURAL_SHAPES = [
  { name: "builtin (stand-in shape)", config: BUILTIN_STANDIN, pairs: 4, seq: 64, steps: 2 },
  { name: "gpt2-small", config: GPT2_SMALL, pairs: 1, seq: 32, steps: 1 },
];

/** One table row; numbers keep 4 significant digits. */
function rewardRow(model: string, metric: string, value: number | string, note: string, cores: number): Row {
  return { bench: "reward", model, metric, value: typeof value === "number" ? Number(value.toPrecision(4)) : value, note, cores };
}

function seconds<T>(work: () => T): [T, number] {
  const start = performance.now();
  const result = work();
  return [result, (performance.now() - start) / 1000];
}

/** Seconds per reward-loss forward + backward over all backbone and head parameters. */
function neuralStepSeconds(config: Gpt2Config, pairs: number, seq: number, steps: number): number {
  const graph = buildGpt2Graph(config, { hiddenState: true });
  const params = Object.fromEntries(Object.entries(initParams(graph, 1)).map(([name, t]) => [name, tf.variable(t)]));
  const score = tf.variable(initScoreWeight(config.n_embd, 1)) as unknown as tf.Tensor2D;
  const hidden: HiddenStates = (inputs) =>
    executeGraph(graph, { ...params, input_ids: inputs.inputIds, attention_mask: inputs.attentionMask, position_ids: inputs.positionIds }, [
      "last_hidden_state",
    ]).last_hidden_state as tf.Tensor3D;
  const rng = createRng(1);
  const ids = () => Array.from({ length: seq }, () => uniformInt(rng, config.vocab_size));
  const batch = buildRewardBatch(Array.from({ length: pairs }, () => ({ chosen: ids(), rejected: ids() })), { maxLength: seq, padId: 0, sequenceStart: [] });
  const variables = [...Object.values(params), score as unknown as tf.Variable];
  const step = () => tf.tidy(() => tf.variableGrads(() => rewardBatchLoss(hidden, score, batch), variables).value.dataSync());
  step(); // warm-up: kernel setup and first allocations
  const [, elapsed] = seconds(() => Array.from({ length: steps }, step));
  variables.forEach((v) => v.dispose());
  return elapsed / steps;
}

async function neuralRows(cores: number): Promise<Row[]> {
  const backend = describeBackend(await initBackend());
  const rows: Row[] = [];
  for (const shape of NEURAL_SHAPES) {
    const note = `${shape.pairs} pairs x ${shape.seq} tokens, fwd+bwd, ${backend}`;
    const row = (metric: string, value: number | string) => rewardRow(`neural ${shape.name}`, metric, value, note, cores);
    try {
      const perStep = neuralStepSeconds(shape.config, shape.pairs, shape.seq, shape.steps);
      rows.push(row("train pairs/s", shape.pairs / perStep));
    } catch (error) {
      rows.push(row("error", String((error as Error).message ?? error)));
    }
  }
  return rows;
}

function linearRows(cores: number): Row[] {
  const pairs = readHhRlhf(HH_PATH);
  const [problem, featurizeSeconds] = seconds(() => linearProblem(pairs, DEFAULT_LINEAR_CONFIG));
  let evaluations = 0;
  const [fit, trainSeconds] = seconds(() =>
    minimizeLbfgs((w, g) => (evaluations++, linearObjective(w, problem, g)), new Float64Array(DEFAULT_LINEAR_CONFIG.features.dimensions)),
  );
  const model = new LinearRewardModel(DEFAULT_LINEAR_CONFIG.features, Float32Array.from(fit.x));
  const [, scoreSeconds] = seconds(() => pairs.forEach((p) => model.score(p.prompt, p.chosen) - model.score(p.prompt, p.rejected)));
  const row = (metric: string, value: number, note: string) => rewardRow("linear", metric, value, note, cores);
  return [
    row("featurize pairs/s", pairs.length / featurizeSeconds, `${pairs.length} HH-RLHF pairs, 2^18 buckets, uni+bigrams`),
    row("train s (to convergence)", trainSeconds, `${pairs.length} pairs, ${fit.iterations} L-BFGS iterations`),
    row("train pair-gradients/s", (pairs.length * evaluations) / trainSeconds, `${evaluations} objective evaluations`),
    row("score pairs/s", pairs.length / scoreSeconds, "featurise + dot, both answers"),
  ];
}

function syntheticJudgements(): PolicyJudgement[] {
  const rng = createRng(2024);
  const strength = Array.from({ length: POLICIES }, () => 3 * (rng() - 0.5));
  const outcomes: Outcome[] = ["a", "b", "tie", "both_bad"];
  return Array.from({ length: JUDGEMENTS }, () => {
    const i = uniformInt(rng, POLICIES);
    const j = (i + 1 + uniformInt(rng, POLICIES - 1)) % POLICIES;
    const u = rng();
    const decided = rng() < 1 / (1 + Math.exp(strength[j] - strength[i])) ? 0 : 1;
    return { a: `policy-${i}`, b: `policy-${j}`, outcome: outcomes[u < 0.05 ? 3 : u < 0.15 ? 2 : decided] };
  });
}

function leaderboardRows(cores: number): Row[] {
  const judgements = syntheticJudgements();
  const [cells, aggregateSeconds] = seconds(() => aggregateJudgements(judgements));
  const [, fitSeconds] = seconds(() => leaderboardFromCells(cells, { base: "policy-0", bootstraps: BOOTSTRAPS }));
  const row = (metric: string, value: number, note: string) => rewardRow("leaderboard", metric, value, note, cores);
  const note = `${JUDGEMENTS} judgements, ${POLICIES} policies, ${cells.count.length} distinct cells`;
  return [
    row("aggregate s", aggregateSeconds, note),
    row("fit + bootstrap s", fitSeconds, `${BOOTSTRAPS} bootstraps (Newton, warm start)`),
    row("total s", aggregateSeconds + fitSeconds, note),
  ];
}

export async function run(): Promise<Row[]> {
  const cores = availableParallelism();
  return [...(await neuralRows(cores)), ...linearRows(cores), ...leaderboardRows(cores)];
}
