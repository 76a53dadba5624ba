// Where online RL's scores come from: a preflab reward model (neural or linear; normalised by
// its stored mean/std, then clipped), or a scoring function registered in code (simulators,
// demos, tests). Every score is checked: a NaN from either is an error, never a training signal.
import { desc, eq } from "drizzle-orm";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Db } from "../../db/client";
import { rewardModels } from "../../db/schema";
import { loadRewardScorer, type RewardScorer, type ScoreItem } from "../reward/scorer";

export type ScoringFunction = (items: readonly ScoreItem[]) => number[];

const SCORING_FUNCTIONS = new Map<string, ScoringFunction>();

/** Makes `name` usable as a run's `scoringFunction` in this process. */
export function registerScoringFunction(name: string, fn: ScoringFunction): void {
  SCORING_FUNCTIONS.set(name, fn);
}

export interface ScoreSource {
  describe: string;
  score(items: readonly ScoreItem[]): number[];
  dispose(): void;
}

function checked(score: (items: readonly ScoreItem[]) => number[], what: string): (items: readonly ScoreItem[]) => number[] {
  return (items) => {
    const scores = score(items);
    const bad = scores.findIndex((s) => !Number.isFinite(s));
    if (bad >= 0) throw new Error(`${what} gave ${scores[bad]} for a completion of "${items[bad]!.prompt.slice(0, 60)}": rewards must be finite numbers`);
    return scores;
  };
}

/** The policy and a neural reward model must read text the same way, or its scores mean nothing to the policy's tokens. */
function checkTokenizers(scorer: RewardScorer, policyDir: string, id: number): void {
  if (scorer.kind !== "neural") return;
  const vocab = (dir: string) => JSON.stringify((JSON.parse(readFileSync(path.join(dir, "tokenizer.json"), "utf8")) as { model?: { vocab?: unknown } }).model?.vocab);
  if (vocab(scorer.path) !== vocab(policyDir)) throw new Error(`reward model ${id}'s backbone tokenizer does not match the policy's tokenizer (${policyDir}): train the reward model on this policy's backbone`);
}

/** The run's score source: its scoring function, its reward model, or the project's newest reward model. */
export async function openScoreSource(db: Db, o: { projectId: number; rewardModelId: number | null; scoringFunction: string | null; rewardClip: number; policyDir: string }): Promise<ScoreSource> {
  if (o.scoringFunction) {
    const fn = SCORING_FUNCTIONS.get(o.scoringFunction);
    if (!fn) throw new Error(`no scoring function "${o.scoringFunction}" is registered (known: ${[...SCORING_FUNCTIONS.keys()].join(", ") || "none"})`);
    return { describe: `scoring function ${o.scoringFunction}`, score: checked(fn, `scoring function ${o.scoringFunction}`), dispose: () => {} };
  }
  const row = o.rewardModelId !== null
    ? db.select().from(rewardModels).where(eq(rewardModels.id, o.rewardModelId)).get()
    : db.select().from(rewardModels).where(eq(rewardModels.projectId, o.projectId)).orderBy(desc(rewardModels.id)).get();
  if (!row) throw new Error(o.rewardModelId !== null ? `no reward model with id ${o.rewardModelId}` : "the project has no reward model: train one first (preflab train reward) or name one with rewardModelId");
  const scorer = await loadRewardScorer(db, String(row.id));
  checkTokenizers(scorer, o.policyDir, row.id);
  const [mean, std] = [row.rewardMean ?? 0, row.rewardStd && row.rewardStd > 0 ? row.rewardStd : 1];
  const raw = checked((items) => scorer.score(items), `reward model ${row.id}`);
  return {
    describe: `reward model ${row.id} (${row.kind}, normalised by mean ${mean.toFixed(3)} and std ${std.toFixed(3)}, clipped to ±${o.rewardClip})`,
    score: (items) => raw(items).map((s) => Math.max(-o.rewardClip, Math.min(o.rewardClip, (s - mean) / std))),
    dispose: () => scorer.dispose(),
  };
}
