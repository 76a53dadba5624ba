import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { inTransaction, type Db } from "../../db/client";
import type { SamplingParams } from "../../db/types";
import { completions, policies, projects, prompts } from "../../db/schema";
import { createRng, shuffle } from "../../stats/random";
import { ensureProject } from "./projects";
import { createCorrectionTasks, createPairTasks, createRankTasks, type TaskSpec } from "./tasks";

/**
 * The demo project a new user meets: real movie-review snippets (Pang & Lee 2005 via the VADER
 * data) grouped by their two opening words, so every prompt has several real continuations, set
 * against continuations the built-in policy writes for the same opening: the controlled
 * movie-review setting of the DPO paper, with a human baseline to compare the policy to.
 */
export const DEMO_PROJECT = "movie-reviews-demo";

const SNIPPETS = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../data/movie-reviews/movieReviewSnippets_GroundTruth.txt");

const GUIDELINES = `Each task opens a movie review with a few words and shows ways it could continue.

Prefer the continuation that reads as the better review: specific about the film, well written,
and coherent with the opening. Sentiment does not matter: a sharp negative review can beat a
vague positive one.

- Strength: 1 = slightly better, 2 = clearly better, 3 = much better.
- Tie: equally good. Both bad: neither is an acceptable review (this is not a tie).
- Ranking: best first. Correction: pick the better one, then edit it into what it should say.
- Flag anything broken or unreadable; skip when you cannot judge.`;

type TaskKind = "pair" | "rank" | "correction";

/** One demo prompt: how many real and how many policy continuations its task shows. */
interface PlannedPrompt {
  kind: TaskKind;
  opening: string;
  /** Real continuations to show. */
  real: string[];
  /** Further real continuations that stand in for policy samples when no policy is shipped. */
  spare: string[];
  policySamples: number;
}

const PLAN: Array<{ kind: TaskKind; count: number; real: number; policy: number }> = [
  { kind: "pair", count: 40, real: 1, policy: 1 },
  { kind: "pair", count: 20, real: 2, policy: 0 },
  { kind: "rank", count: 15, real: 2, policy: 2 },
  { kind: "correction", count: 15, real: 1, policy: 1 },
];

/** How the built-in policy's demo continuations are sampled (recorded on every completion). */
export const DEMO_SAMPLING: Required<Pick<SamplingParams, "temperature" | "topP" | "maxNewTokens" | "seed">> = {
  temperature: 0.9,
  topP: 0.95,
  maxNewTokens: 40,
  seed: 7,
};

function loadOpenings(): Array<{ opening: string; continuations: string[] }> {
  const groups = new Map<string, string[]>();
  for (const line of fs.readFileSync(SNIPPETS, "utf8").split("\n")) {
    const words = line.split("\t")[2]?.trim().split(/\s+/) ?? [];
    if (words.length < 6) continue;
    const opening = words.slice(0, 2).join(" ");
    groups.set(opening, [...(groups.get(opening) ?? []), ` ${words.slice(2).join(" ")}`]);
  }
  return [...groups].filter(([, c]) => c.length >= 4).map(([opening, continuations]) => ({ opening, continuations }));
}

/** The demo's prompts, the same on every machine (seeded). */
export function planDemo(): PlannedPrompt[] {
  const rng = createRng(20051);
  const openings = shuffle(rng, loadOpenings());
  let next = 0;
  return PLAN.flatMap(({ kind, count, real, policy }) =>
    Array.from({ length: count }, () => {
      const o = openings[next++]!;
      const picked = shuffle(rng, [...o.continuations]);
      return { kind, opening: o.opening, real: picked.slice(0, real), spare: picked.slice(real, real + policy), policySamples: policy };
    }),
  );
}

/** Policy continuations for the demo, keyed by opening; absent when no built-in policy is shipped. */
export interface DemoSamples {
  policy: { name: string; path: string };
  byOpening: Map<string, string[]>;
}

/** Creates the demo project once, all or nothing; a second call finds it and does nothing. */
export function seedDemo(db: Db, plan: PlannedPrompt[] = planDemo(), samples?: DemoSamples): { created: boolean; tasks: number } {
  return inTransaction(db, () => {
    if (db.select().from(projects).where(eq(projects.name, DEMO_PROJECT)).get()) return { created: false, tasks: 0 };
    const project = ensureProject(db, DEMO_PROJECT, null);
    db.update(projects).set({ guidelines: GUIDELINES }).where(eq(projects.id, project.id)).run();
    const human = db.insert(policies).values({ name: "rotten-tomatoes-reviewers", kind: "imported" }).returning().get();
    const builtin = samples && db.insert(policies).values({ name: samples.policy.name, kind: "builtin", path: samples.policy.path }).returning().get();
    const specs: Record<TaskKind, TaskSpec[]> = { pair: [], rank: [], correction: [] };
    for (const planned of plan) {
      const promptId = db.insert(prompts).values({ projectId: project.id, text: planned.opening }).returning().get().id;
      const add = (text: string, policyId: number, samplingParams: SamplingParams | null) =>
        db.insert(completions).values({ promptId, policyId, origin: "policy", text, samplingParams }).returning().get().id;
      const ids = planned.real.map((text) => add(text, human.id, null));
      const generated = samples?.byOpening.get(planned.opening) ?? [];
      // Without a built-in policy, spare real continuations stand in so every task keeps its size.
      for (let i = 0; i < planned.policySamples; i++)
        ids.push(builtin && generated[i]?.trim() ? add(generated[i]!, builtin.id, DEMO_SAMPLING) : add(planned.spare[i]!, human.id, null));
      specs[planned.kind].push({ promptId, completionIds: ids });
    }
    const created =
      createPairTasks(db, project.id, specs.pair).created.length +
      createRankTasks(db, project.id, specs.rank).created.length +
      createCorrectionTasks(db, project.id, specs.correction).created.length;
    return { created: true, tasks: created };
  });
}

/** Openings the built-in policy should continue, with how many samples each. */
export function promptsNeedingSamples(plan: PlannedPrompt[]): Array<{ opening: string; n: number }> {
  return plan.filter((p) => p.policySamples > 0).map((p) => ({ opening: p.opening, n: p.policySamples }));
}
