import { spawn } from "node:child_process";
import fs from "node:fs";
import type { Command } from "commander";
import { databasePathFromEnv, openDatabase } from "../../db/client";
import { findProjectByName } from "../../server/services/projects";
import { DEMO_PROJECT, planDemo, seedDemo } from "../../server/services/demo-seed";
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

/** `preflab setup` (migrate + seed), `preflab serve` (setup, build if needed, start), `preflab worker`. */
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
    .command("serve")
    .description("set up, build the web app if it has not been built, and start it on PORT (default 3000)")
    .option("--no-seed", "do not seed the demo project")
    .option("--rebuild", "build the web app even if a build exists")
    .action(async (opts: { seed: boolean; rebuild?: boolean }) => {
      await setup(opts);
      const nextBin = "node_modules/next/dist/bin/next";
      if (opts.rebuild || !fs.existsSync(".next/BUILD_ID")) await run(process.execPath, [nextBin, "build"]);
      const port = process.env.PORT || "3000";
      process.stdout.write(`preflab is starting on http://localhost:${port}\n`);
      await run(process.execPath, [nextBin, "start", "-p", port]);
    });
}
