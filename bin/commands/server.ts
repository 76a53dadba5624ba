import { spawn } from "node:child_process";
import type { Command } from "commander";
import { databasePathFromEnv, openDatabase } from "../../db/client";
import { findProjectByName } from "../../server/services/projects";
import { DEMO_PROJECT, planDemo, seedDemo } from "../../server/services/demo-seed";
import { nextDistDir, sourceFingerprint, staleBuildReason, writeBuildStamp } from "../build-stamp";
import { sampleDemoContinuations } from "../demo-samples";

async function setup(opts: { seed: boolean }): Promise<void> {
  const file = databasePathFromEnv();
  const db = openDatabase(file); // opening migrates
  process.stdout.write(`database ready: ${file}\n`);
  if (!opts.seed || findProjectByName(db, DEMO_PROJECT)) {
    if (opts.seed) process.stdout.write(`demo project "${DEMO_PROJECT}" already present\n`);
    return;
  }
  const plan = planDemo();
  const samples = await sampleDemoContinuations(plan);
  if (!samples) process.stdout.write("no built-in policy in models/builtin: the demo shows real continuations only\n");
  const seeded = seedDemo(db, plan, samples ?? undefined);
  process.stdout.write(seeded.created ? `seeded the demo project "${DEMO_PROJECT}" with ${seeded.tasks} tasks\n` : `demo project "${DEMO_PROJECT}" already present\n`);
  db.$client.close();
}

/** Next.js would otherwise phone home with telemetry; preflab makes no calls outside the machine. */
const NEXT_ENV = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env: NEXT_ENV });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

const NEXT_BIN = "node_modules/next/dist/bin/next";

/**
 * `next build`, then the fingerprint of the sources it was built from beside it. Recorded only
 * when the sources did not change while it built (then the next `serve` builds again).
 */
async function build(): Promise<void> {
  const root = process.cwd();
  const before = sourceFingerprint(root);
  await run(process.execPath, [NEXT_BIN, "build"]);
  if (sourceFingerprint(root) === before) writeBuildStamp(nextDistDir(root), before);
  else process.stdout.write("the sources changed during the build: the next start builds again\n");
}

/** Builds when there is no build, or when its sources are not the checkout's; says why in one line. */
async function buildIfStale(force: boolean): Promise<void> {
  const reason = force ? "rebuilding the web app (--rebuild)" : staleBuildReason(nextDistDir(process.cwd()), sourceFingerprint(process.cwd()));
  if (reason === null) return;
  process.stdout.write(`${reason}\n`);
  await build();
}

/** `preflab setup` (migrate + seed), `preflab build`, `preflab serve` (setup, build if stale, start), `preflab worker`. */
export function register(program: Command): void {
  program
    .command("worker")
    .description("execute queued training runs one at a time (as the web server's worker does); resumes runs a dead worker left running")
    .action(async () => {
      const { serveRuns } = await import("../../trainer/worker/serve-runs");
      await serveRuns((line) => process.stderr.write(`[worker ${process.pid}] ${line}\n`));
    });
  program
    .command("setup")
    .description("create or migrate the database (PREFLAB_DB) and seed the demo project")
    .option("--no-seed", "only migrate")
    .action(setup);
  program
    .command("build")
    .description("build the web app (next build; PREFLAB_NEXT_DIST_DIR picks the folder) and record the sources it was built from")
    .action(build);
  program
    .command("serve")
    .description("set up, build the web app if there is no build or its sources changed since, and start it on PORT (default 3000)")
    .option("--no-seed", "do not seed the demo project")
    .option("--rebuild", "build the web app even if a build exists")
    .action(async (opts: { seed: boolean; rebuild?: boolean }) => {
      await setup(opts);
      await buildIfStale(opts.rebuild === true);
      const port = process.env.PORT || "3000";
      process.stdout.write(`preflab is starting on http://localhost:${port}\n`);
      await run(process.execPath, [NEXT_BIN, "start", "-p", port]);
    });
}
