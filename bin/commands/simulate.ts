import type { Command } from "commander";
import { SimulatedAnnotator, type SimulationReport } from "../../sim/annotator";

const num = (v: string) => Number.parseFloat(v);
const int = (v: string) => Number.parseInt(v, 10);

interface Flags {
  url: string;
  user: string;
  password?: string;
  project?: string;
  limit?: number;
  noise: number;
  flip: number;
  tieRate: number;
  editRate: number;
  seed: number;
  json?: boolean;
  verbose?: boolean;
}

export function summary(report: SimulationReport) {
  const { judgements: _log, ...rest } = report;
  return rest;
}

async function simulate(o: Flags): Promise<void> {
  const password = o.password ?? process.env.PREFLAB_PASSWORD;
  if (!password) throw new Error("give the annotator's password with --password or PREFLAB_PASSWORD");
  for (const [flag, v] of [["--tie-rate", o.tieRate], ["--flip", o.flip], ["--edit-rate", o.editRate]] as const)
    if (!(v >= 0 && v <= 1)) throw new Error(`${flag} is a probability in 0..1`);
  if (!(o.noise >= 0)) throw new Error("--noise is a temperature ≥ 0");
  const annotator = new SimulatedAnnotator({
    url: o.url, username: o.user, password, project: o.project, limit: o.limit, seed: o.seed,
    temperature: o.noise, flipProbability: o.flip, tieRate: o.tieRate, editRate: o.editRate,
    log: o.verbose ? (line) => process.stderr.write(`${line}\n`) : undefined,
  });
  const report = summary(await annotator.run());
  if (o.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const rate = report.agreement.rate === null ? "n/a" : `${(100 * report.agreement.rate).toFixed(1)}%`;
  process.stdout.write(
    `projects ${report.projects.join(", ") || "(none with open tasks)"}\n` +
    `judged ${report.judged} (pair ${report.byKind.pair}, rank ${report.byKind.rank}, correction ${report.byKind.correction}), ` +
    `ties ${report.ties}, skipped ${report.skipped}, edited corrections ${report.edited}\n` +
    `agreement with the noiseless preference ${rate} (${report.agreement.agreed}/${report.agreement.compared}) in ${report.seconds.toFixed(1)} s\n`,
  );
}

/** `simulate-annotator`: a scripted annotator labeling through the HTTP API (sim/annotator.ts). */
export function register(program: Command): void {
  program
    .command("simulate-annotator")
    .description("label a running server's tasks as a simulated annotator preferring the more positive review (hidden sentiment scorer fitted on real ratings)")
    .option("--url <url>", "base URL of the preflab server", "http://127.0.0.1:3000")
    .requiredOption("--user <name>", "the annotator's username")
    .option("--password <password>", "the annotator's password (or PREFLAB_PASSWORD)")
    .option("--project <name>", "project to label (default: every project with open tasks)")
    .option("--limit <n>", "most tasks to handle (default: until none is left)", int)
    .option("--noise <t>", "Bradley-Terry temperature in rating units (0: always the more positive)", num, 0)
    .option("--flip <p>", "probability of answering the opposite of the choice", num, 0)
    .option("--tie-rate <p>", "share of pair tasks answered tie", num, 0)
    .option("--edit-rate <p>", "share of corrections submitted lightly edited", num, 0.3)
    .option("--seed <n>", "seed of the noise", int, 1)
    .option("--verbose", "print each answer on stderr")
    .option("--json", "print the report as one JSON object")
    .action(simulate);
}
