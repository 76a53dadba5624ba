// Reward-side throughput on this machine: the linear reward model (featurising, training,
// scoring real HH-RLHF pairs) and the policy leaderboard on 1,000,000 synthetic judgements
// among 50 policies with 1,000 bootstrap resamples. The neural reward model's pairs/s joins
// here once its backbone lands.
import { availableParallelism } from "node:os";
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

function seconds<T>(work: () => T): [T, number] {
  const start = performance.now();
  const result = work();
  return [result, (performance.now() - start) / 1000];
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
  const row = (metric: string, value: number, note: string): Row => ({ bench: "reward", model: "linear", metric, value: Number(value.toPrecision(4)), note, cores });
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
  const row = (metric: string, value: number, note: string): Row => ({ bench: "reward", model: "leaderboard", metric, value: Number(value.toPrecision(4)), note, cores });
  const note = `${JUDGEMENTS} judgements, ${POLICIES} policies, ${cells.count.length} distinct cells`;
  return [
    row("aggregate s", aggregateSeconds, note),
    row("fit + bootstrap s", fitSeconds, `${BOOTSTRAPS} bootstraps (Newton, warm start)`),
    row("total s", aggregateSeconds + fitSeconds, note),
  ];
}

export async function run(): Promise<Row[]> {
  const cores = availableParallelism();
  return [...linearRows(cores), ...leaderboardRows(cores)];
}
