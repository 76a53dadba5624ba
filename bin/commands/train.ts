import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { policyForDirectory } from "../../core/policy-versions";
import { databasePathFromEnv, openDatabase, type Db } from "../../db/client";
import { REWARD_MODEL_KINDS, type RunKind } from "../../db/enums";
import { policies, rewardModels, runEvents, trainingRuns } from "../../db/schema";
import { findProjectByName, getProject } from "../../server/services/projects";
import { queueRun } from "../../server/services/runs";
import { RUN_KIND_REGISTRY, type RunKindSpec } from "../../trainer/registry";
import { runsRootFor } from "../../trainer/train/run-dirs";
import type { RunListener } from "../../trainer/worker/run-context";

const num = (v: string) => Number.parseFloat(v);
const int = (v: string) => Number.parseInt(v, 10);

/** A project by name, or by id when the argument is digits and no project has that name. */
export function resolveProjectArg(db: Db, nameOrId: string) {
  const project = findProjectByName(db, nameOrId) ?? (/^\d+$/.test(nameOrId) ? getProject(db, Number(nameOrId)) : null);
  if (!project) throw new Error(`no project named "${nameOrId}"`);
  return project;
}

function readConfigFile(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  if (!fs.existsSync(file)) throw new Error(`no such config file: ${file}`);
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message})`);
  }
}

/** One progress line on stderr: "step 12/100 loss 0.6931 val_accuracy 0.55". */
function progressLine(e: { step: number; loss?: number; metrics?: Record<string, number>; message?: string }, total?: number): string {
  const parts = [`step ${e.step}${total ? `/${total}` : ""}`];
  if (e.loss !== undefined) parts.push(`loss ${e.loss.toFixed(4)}`);
  for (const [k, v] of Object.entries(e.metrics ?? {})) parts.push(`${k} ${Number(v.toPrecision(4))}`);
  if (e.message) parts.push(e.message);
  return `${parts.join("  ")}\n`;
}

/** Prints each run's backend and progress on stderr as the worker in this process executes it. */
function stderrListener(): RunListener {
  let total: number | undefined;
  return {
    info: (i) => {
      total = i.totalSteps ?? total;
      if (i.backend) process.stderr.write(`backend ${i.backend}\n`);
    },
    progress: (e) => process.stderr.write(progressLine(e, total)),
  };
}

/** Asks the run to stop at its next step on Ctrl-C (a second Ctrl-C exits at once). */
function cancelOnInterrupt(db: Db, runId: number): () => void {
  const handler = () => {
    process.stderr.write("cancelling (Ctrl-C again to quit now)\n");
    db.update(trainingRuns).set({ cancelRequested: true }).where(eq(trainingRuns.id, runId)).run();
    process.once("SIGINT", () => process.exit(130));
  };
  process.once("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}

/** Queues a run of `kind`, executes it here, and returns its finished row (throws unless it succeeded). */
async function trainHere(db: Db, kind: RunKind, projectId: number | null, config: Record<string, unknown>) {
  const run = queueRun(db, { kind, projectId, config, createdBy: null, origin: "cli" });
  process.stderr.write(`queued ${kind} run ${run.id}${run.basePolicyId ? ` from policy ${run.basePolicyId}` : ""}\n`);
  const release = cancelOnInterrupt(db, run.id);
  const { executeUntilDone } = await import("../../trainer/worker/execute-here");
  const log = (line: string) => process.stderr.write(`${line}\n`);
  await executeUntilDone(db, run.id, { runsRoot: runsRootFor(databasePathFromEnv()), log, listener: stderrListener() }).finally(release);
  const done = db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()!;
  if (done.status !== "succeeded") throw new Error(`${kind} run ${run.id} ${done.status}${done.error ? `: ${done.error}` : ""}`);
  return done;
}

interface PolicyRunFlags {
  project: string;
  rewardModel?: number;
  policy?: string;
  beta?: number;
  epochs?: number;
  lr?: number;
  batchSize?: number;
  config?: string;
  json?: boolean;
}

/** `--policy ID|DIR`: a directory typed at the terminal becomes a policy row, so the config holds an id. */
function policyIdArg(db: Db, arg: string | undefined): number | undefined {
  if (arg === undefined) return undefined;
  if (/^\d+$/.test(arg) && !fs.existsSync(arg)) return Number(arg);
  const dir = path.resolve(arg);
  if (!fs.existsSync(path.join(dir, "config.json"))) throw new Error(`--policy ${arg}: neither a policy id nor a checkpoint directory (no config.json there)`);
  return policyForDirectory(db, dir).id;
}

/** Flags override the config file, which overrides the kind's defaults. */
function policyRunConfig(db: Db, o: PolicyRunFlags): Record<string, unknown> {
  const flags = { policyId: policyIdArg(db, o.policy), rewardModelId: o.rewardModel, beta: o.beta, epochs: o.epochs, learningRate: o.lr, batchSize: o.batchSize };
  return { ...readConfigFile(o.config), ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) };
}

async function trainPolicy(kind: RunKind, o: PolicyRunFlags) {
  const db = openDatabase();
  const project = resolveProjectArg(db, o.project);
  const done = await trainHere(db, kind, project.id, policyRunConfig(db, o));
  const policy = db.select().from(policies).where(eq(policies.runId, done.id)).get();
  if (!policy?.path) throw new Error(`${kind} run ${done.id} finished without registering a policy`);
  const evaluation = (policy.evaluation ?? {}) as { metrics?: Record<string, number> };
  const summary = { runId: done.id, policyId: policy.id, policyDir: path.resolve(policy.path), policy: `${policy.name}@${policy.version}`, metrics: evaluation.metrics ?? {}, evaluation };
  if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`policy ${summary.policy} (id ${policy.id}) saved in ${summary.policyDir}\n${JSON.stringify(summary.metrics, null, 2)}\n`);
}

async function trainReward(o: { project: string; base?: string; kind?: string; config?: string; json?: boolean }) {
  const db = openDatabase();
  const project = resolveProjectArg(db, o.project);
  const config = { ...readConfigFile(o.config), ...(o.kind ? { kind: o.kind } : {}), ...(o.base ? { base: path.resolve(o.base) } : {}) };
  const done = await trainHere(db, "reward", project.id, config);
  const model = db.select().from(rewardModels).where(eq(rewardModels.runId, done.id)).get()!;
  const summary = { runId: done.id, rewardModelId: model.id, kind: model.kind, path: model.path, ...model.metrics };
  if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`reward model ${model.id} (${model.kind}) saved in ${model.path}: test accuracy ${model.metrics?.accuracy?.toFixed(4)}\n`);
}

/** The config fields of a kind, with defaults and descriptions, for --help (from the registry's schema). */
export function configFieldsHelp(spec: RunKindSpec): string {
  const json = z.toJSONSchema(spec.schema, { io: "input" }) as { properties?: Record<string, { description?: string; default?: unknown }> };
  const rows = Object.entries(json.properties ?? {}).map(([name, p]) => `  ${name.padEnd(20)} ${p.description ?? ""} (default ${JSON.stringify(p.default ?? null)})`);
  return `\nConfig fields (--config FILE, JSON; flags override them):\n${rows.join("\n")}\n`;
}


function schemaFields(spec: RunKindSpec): string[] {
  return Object.keys((z.toJSONSchema(spec.schema, { io: "input" }) as { properties?: object }).properties ?? {});
}

/** `train <policy kind>`: dpo, ipo, simpo, orpo, kto, sft, ppo, grpo, rloo — every registry kind that produces a policy from a project. */
function registerPolicyKind(train: Command, kind: RunKind, spec: RunKindSpec): void {
  const command = train.command(kind);
  if (schemaFields(spec).includes("rewardModelId")) command.option("--reward-model <id>", "reward model scoring the samples (default: the project's newest)", int);
  command
    .description(spec.description)
    .requiredOption("--project <name>", "project name (or id)")
    .option("--policy <id|dir>", "policy version (id) or checkpoint directory to start from; default: the project's newest")
    .option("--beta <b>", "β (preference kinds)", num)
    .option("--epochs <n>", "passes over the training examples", num)
    .option("--lr <x>", "peak learning rate", num)
    .option("--batch-size <n>", "examples per optimizer step", int)
    .option("--config <file>", "run config, JSON (fields below)")
    .option("--json", "print runId, policyId, policyDir and metrics as one JSON object on stdout")
    .addHelpText("after", configFieldsHelp(spec))
    .action((o: PolicyRunFlags) => trainPolicy(kind, o));
}

/** What a run that produces no policy or reward model reported: its metrics (last value of each) and messages. */
function runSummary(db: Db, runId: number, kind: RunKind) {
  const events = db.select().from(runEvents).where(eq(runEvents.runId, runId)).orderBy(runEvents.id).all();
  const metrics = Object.assign({}, ...events.map((e) => e.metrics ?? {})) as Record<string, number>;
  return { runId, kind, metrics, messages: events.flatMap((e) => (e.message ? [e.message] : [])) };
}

/** `train <kind>` for the registry's other project kinds (sample, evaluate, ...): config file in, summary out. */
function registerRunKind(train: Command, kind: RunKind, spec: RunKindSpec): void {
  train
    .command(kind)
    .description(spec.description)
    .requiredOption("--project <name>", "project name (or id)")
    .option("--config <file>", "run config, JSON (fields below; {} when omitted: the defaults)")
    .option("--json", "print runId, kind, metrics and messages as one JSON object on stdout")
    .addHelpText("after", configFieldsHelp(spec))
    .action(async (o: { project: string; config?: string; json?: boolean }) => {
      const db = openDatabase();
      const project = resolveProjectArg(db, o.project);
      const done = await trainHere(db, kind, project.id, readConfigFile(o.config));
      const summary = runSummary(db, done.id, kind);
      if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else process.stdout.write(`${kind} run ${done.id} succeeded\n${summary.messages.map((m) => `  ${m}`).join("\n")}\n`);
    });
}

/** Registers `train reward`, one `train <kind>` per policy kind of the registry, and one per other project kind. */
export function register(program: Command): void {
  const train = program.command("train").description("train models from a project's judgements (queued as a run, executed here)");
  const reward = RUN_KIND_REGISTRY.reward!;
  train
    .command("reward")
    .description(reward.description)
    .requiredOption("--project <name>", "project name (or id)")
    .option("--base <dir>", "backbone checkpoint for a neural model (default models/builtin)")
    .option("--kind <kind>", `${REWARD_MODEL_KINDS.join(" or ")} (default: the config's, neural)`)
    .option("--config <file>", "reward run config, JSON (fields below)")
    .option("--json", "print the final metrics as one JSON object on stdout")
    .addHelpText("after", configFieldsHelp(reward))
    .action(trainReward);
  for (const [kind, spec] of Object.entries(RUN_KIND_REGISTRY) as [RunKind, RunKindSpec][]) {
    if (!spec.needsProject || kind === "reward") continue;
    if (spec.producesPolicy) registerPolicyKind(train, kind, spec);
    else registerRunKind(train, kind, spec);
  }
}
