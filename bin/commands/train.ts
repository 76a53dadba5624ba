import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { eq } from "drizzle-orm";
import { databasePathFromEnv, openDatabase, type Db } from "../../db/client";
import { REWARD_MODEL_KINDS } from "../../db/enums";
import { rewardModels, trainingRuns } from "../../db/schema";
import { findProjectByName, getProject } from "../../server/services/projects";
import { queueRun } from "../../server/services/runs";

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

/** Executes queued runs in this process until `runId` has finished (runs queued before it go first). */
async function executeUntilDone(db: Db, runId: number): Promise<void> {
  const { loadExecutors } = await import("../../trainer/worker/executors");
  const { runOnce } = await import("../../trainer/worker/worker-loop");
  const executors = await loadExecutors();
  const inner = executors.reward!;
  executors.reward = async (ctx) => {
    let total: number | undefined;
    const [info, progress] = [ctx.info.bind(ctx), ctx.progress.bind(ctx)];
    ctx.info = (i) => {
      total = i.totalSteps ?? total;
      if (i.backend) process.stderr.write(`backend ${i.backend}\n`);
      info(i);
    };
    ctx.progress = (e) => {
      process.stderr.write(progressLine(e, total));
      progress(e);
    };
    await inner(ctx);
  };
  const runsRoot = process.env.PREFLAB_RUNS_DIR ?? path.join(path.dirname(path.resolve(databasePathFromEnv())), "runs");
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const status = () => db.select().from(trainingRuns).where(eq(trainingRuns.id, runId)).get()!.status;
  while (status() === "queued" || status() === "running") {
    // Nothing claimable while the run is queued means another worker has it: wait for it.
    if (!(await runOnce(db, { runsRoot, executors, log }))) await new Promise((r) => setTimeout(r, 1000));
  }
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

async function trainReward(o: { project: string; base?: string; kind?: string; config?: string; json?: boolean }) {
  const db = openDatabase();
  const project = resolveProjectArg(db, o.project);
  const config = { ...readConfigFile(o.config), ...(o.kind ? { kind: o.kind } : {}), ...(o.base ? { base: path.resolve(o.base) } : {}) };
  const run = queueRun(db, { kind: "reward", projectId: project.id, config, createdBy: null });
  process.stderr.write(`queued reward run ${run.id} on project "${project.name}"\n`);
  const release = cancelOnInterrupt(db, run.id);
  await executeUntilDone(db, run.id).finally(release);
  const done = db.select().from(trainingRuns).where(eq(trainingRuns.id, run.id)).get()!;
  if (done.status !== "succeeded") throw new Error(`reward run ${run.id} ${done.status}${done.error ? `: ${done.error}` : ""}`);
  const model = db.select().from(rewardModels).where(eq(rewardModels.runId, run.id)).get()!;
  const summary = { runId: run.id, rewardModelId: model.id, kind: model.kind, path: model.path, ...model.metrics };
  if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`reward model ${model.id} (${model.kind}) saved in ${model.path}: held-out accuracy ${model.metrics?.accuracy?.toFixed(4)}\n`);
}

/** Registers `train reward`. */
export function register(program: Command): void {
  program
    .command("train")
    .description("train models from a project's judgements (queued as a run, executed here)")
    .command("reward")
    .description("train a reward model on the project's preference pairs")
    .requiredOption("--project <name>", "project name (or id)")
    .option("--base <dir>", "backbone checkpoint for a neural model (default models/builtin)")
    .option("--kind <kind>", `${REWARD_MODEL_KINDS.join(" or ")} (default: the config's, neural)`)
    .option("--config <file>", "reward run config, JSON (see trainer/reward/config.ts)")
    .option("--json", "print the final metrics as one JSON object on stdout")
    .action(trainReward);
}
