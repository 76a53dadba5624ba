import type { Command } from "commander";
import { DEMO_ALGORITHMS, DEMO_DEFAULTS, DEMO_QUICK, runDemoLoop, type DemoAlgorithm, type DemoResult } from "../../sim/demo-loop";

const num = (v: string) => Number.parseFloat(v);
const int = (v: string) => Number.parseInt(v, 10);

interface Flags {
  rounds: number;
  algorithm: string;
  db?: string;
  prompts?: number;
  samples?: number;
  beta?: number;
  lr?: number;
  heldOut?: number;
  maxNewTokens?: number;
  epochs?: number;
  noise: number;
  tieRate: number;
  seed: number;
  quick?: boolean;
  json?: boolean;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The rounds as a table (on stderr when stdout carries the JSON). */
function printTable(result: DemoResult, out: NodeJS.WriteStream = process.stdout): void {
  new console.Console(out).table(result.rounds.map((r) => ({
    round: r.round, policy: r.policyId, "win rate": pct(r.winRate), "95% CI": `${pct(r.winRateInterval[0])}..${pct(r.winRateInterval[1])}`,
    "mean score": Number(r.meanScore.toFixed(3)), "KL to base": Number(r.klToBase.toFixed(3)), judgements: r.judgements, seconds: Math.round(r.seconds),
  })));
  out.write(`${result.algorithm}; base policy ${result.base.policyId} mean score ${result.base.meanScore.toFixed(3)}; hidden preference: the more positive review; database ${result.dbFile}\n`);
}

async function loop(o: Flags): Promise<void> {
  if (!DEMO_ALGORITHMS.includes(o.algorithm as DemoAlgorithm)) throw new Error(`--algorithm must be one of ${DEMO_ALGORITHMS.join(", ")}`);
  if (!(o.rounds >= 1)) throw new Error("--rounds must be at least 1");
  const given = { promptsPerRound: o.prompts, samplesPerPrompt: o.samples, heldOut: o.heldOut, maxNewTokens: o.maxNewTokens, epochs: o.epochs, beta: o.beta, learningRate: o.lr };
  const result = await runDemoLoop({
    ...(o.quick ? DEMO_QUICK : {}),
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
    rounds: o.rounds, algorithm: o.algorithm as DemoAlgorithm, dbFile: o.db, noise: o.noise, tieRate: o.tieRate, seed: o.seed,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  printTable(result, o.json ? process.stderr : process.stdout);
  if (!o.json) return;
  const rounds = result.rounds.map(({ round, policyId, policyDir, winRate, winRateInterval, meanScore, klToBase, judgements, seconds }) =>
    ({ round, policyId, policyDir, winRate, winRateInterval, meanScore, klToBase, judgements, seconds }));
  process.stdout.write(`${JSON.stringify({ rounds, algorithm: result.algorithm, baseMeanScore: result.base.meanScore, dbFile: result.dbFile })}\n`);
}

/** `demo loop`: the controlled-sentiment experiment, unattended (sim/demo-loop.ts). */
export function register(program: Command): void {
  const demo = program.command("demo").description("self-running demonstrations");
  demo
    .command("loop")
    .description("sample → simulated annotator over HTTP → reward model → policy run, per round, on a fresh database; evaluated against the base under the hidden preference (more positive reviews)")
    .option("--rounds <n>", "rounds of the loop", int, DEMO_DEFAULTS.rounds)
    .option("--algorithm <kind>", DEMO_ALGORITHMS.join(" | "), DEMO_DEFAULTS.algorithm)
    .option("--db <file>", "database file (default: a fresh one in a temporary directory)")
    .option("--prompts <n>", `new openings labeled per round (default ${DEMO_DEFAULTS.promptsPerRound})`, int)
    .option("--samples <n>", `samples per opening: 2 make a pair task, 3 to 9 a ranking (default ${DEMO_DEFAULTS.samplesPerPrompt})`, int)
    .option("--held-out <n>", `held-out openings evaluated (default ${DEMO_DEFAULTS.heldOut})`, int)
    .option("--max-new-tokens <n>", `tokens per sample (default ${DEMO_DEFAULTS.maxNewTokens})`, int)
    .option("--epochs <n>", `policy-run epochs (default ${DEMO_DEFAULTS.epochs})`, num)
    .option("--beta <b>", "β of the policy run (default: the kind's)", num)
    .option("--lr <x>", "peak learning rate of the policy run (default: the kind's)", num)
    .option("--noise <t>", "the annotator's Bradley-Terry temperature (rating units)", num, DEMO_DEFAULTS.noise)
    .option("--tie-rate <p>", "the annotator's tie rate on pairs", num, DEMO_DEFAULTS.tieRate)
    .option("--seed <n>", "seed of the prompts, samples and annotator", int, DEMO_DEFAULTS.seed)
    .option("--quick", "tiny settings (a test of the whole loop in about a minute)")
    .option("--json", "print one JSON object as the last line: {rounds: [...], algorithm}")
    .action(loop);
}
