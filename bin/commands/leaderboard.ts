import type { Command } from "commander";
import { openDatabase } from "../../db/client";
import { projectLeaderboard } from "../../server/services/leaderboard";
import { resolveProjectArg } from "./train";

const int = (v: string) => Number.parseInt(v, 10);

async function show(o: { project: string; json?: boolean; base?: string; bootstraps: number }) {
  const db = openDatabase();
  const project = resolveProjectArg(db, o.project);
  const board = projectLeaderboard(db, project.id, { base: o.base, bootstraps: o.bootstraps });
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ project: project.name, ...board })}\n`);
    return;
  }
  if (board.rows.length === 0) {
    process.stdout.write(`no policies with completions in project "${project.name}"\n`);
    return;
  }
  const round = (x: number) => Math.round(x);
  console.table(
    board.rows.map((r) => ({
      policy: r.policy, rating: round(r.rating), "95% CI": `${round(r.ciLow)}..${round(r.ciHigh)}`,
      judgements: r.judgements, "W/L/T": `${r.wins}/${r.losses}/${r.ties}`, "both bad": r.bothBad,
      ...(r.connectedToBase ? {} : { note: "not compared with the base" }),
    })),
  );
  process.stdout.write(`base ${board.base} = 1000; 400 points = 10x the odds of being preferred; ${board.judgements} judgements\n`);
}

/** Registers `leaderboard`. */
export function register(program: Command): void {
  program
    .command("leaderboard")
    .description("Bradley-Terry ratings of the project's policies from pairwise human judgements")
    .requiredOption("--project <name>", "project name (or id)")
    .option("--base <policy>", "policy anchored at 1000 (name@version or name; default the earliest)")
    .option("--bootstraps <n>", "bootstrap resamples behind the 95% intervals", int, 1000)
    .option("--json", "print one JSON object")
    .action(show);
}
