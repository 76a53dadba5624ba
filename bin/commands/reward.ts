import fs from "node:fs";
import type { Command } from "commander";
import { openDatabase } from "../../db/client";
import type { ScoreItem } from "../../trainer/reward/scorer";

/** Every non-blank line as {prompt, completion}; the first bad line is an error naming it. */
export function parseScoreInput(text: string, file: string): ScoreItem[] {
  const items: ScoreItem[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${file}:${i + 1}: not valid JSON (${(error as Error).message})`);
    }
    const row = value as { prompt?: unknown; completion?: unknown };
    if (typeof row !== "object" || row === null || typeof row.prompt !== "string" || typeof row.completion !== "string") {
      throw new Error(`${file}:${i + 1}: expected an object with string "prompt" and "completion"`);
    }
    items.push({ prompt: row.prompt, completion: row.completion });
  });
  return items;
}

async function score(o: { rewardModel: string; input: string }) {
  if (!fs.existsSync(o.input)) throw new Error(`no such file: ${o.input}`);
  const items = parseScoreInput(fs.readFileSync(o.input, "utf8"), o.input);
  const { loadRewardScorer } = await import("../../trainer/reward/scorer");
  const db = /^\d+$/.test(o.rewardModel) ? openDatabase() : null;
  const scorer = await loadRewardScorer(db, o.rewardModel);
  try {
    for (const s of scorer.score(items)) process.stdout.write(`${JSON.stringify({ score: s })}\n`);
  } finally {
    scorer.dispose();
  }
}

/** Registers `reward score`. */
export function register(program: Command): void {
  program
    .command("reward")
    .description("use trained reward models")
    .command("score")
    .description('score {"prompt", "completion"} JSONL lines; prints one {"score": ...} line each, in order')
    .requiredOption("--reward-model <id|dir>", "reward model id (see the dashboard) or its directory")
    .requiredOption("--input <file>", "JSONL file of {\"prompt\", \"completion\"} objects")
    .action(score);
}
