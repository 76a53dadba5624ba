import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { inTransaction, type Db } from "../../db/client";
import { completions, policies, projects, prompts } from "../../db/schema";
import { createRng, shuffle, type Rng } from "../../stats/random";
import { ensureProject } from "./projects";
import { createCorrectionTasks, createPairTasks, createRankTasks, type TaskSpec } from "./tasks";

/**
 * The demo project a new user meets: real movie-review snippets (Pang & Lee 2005 via the VADER
 * data) grouped by their two opening words, so every prompt has several real human
 * continuations to compare, rank and correct, the controlled-sentiment setting of the DPO paper.
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

const PLAN = { pair: 60, rank: 15, correction: 15 } as const;
const SIZES = { pair: 2, rank: 4, correction: 2 } as const;

interface Opening {
  opening: string;
  continuations: string[];
}

function loadOpenings(): Opening[] {
  const groups = new Map<string, string[]>();
  for (const line of fs.readFileSync(SNIPPETS, "utf8").split("\n")) {
    const text = line.split("\t")[2]?.trim();
    const words = text?.split(/\s+/) ?? [];
    if (words.length < 6) continue;
    const opening = words.slice(0, 2).join(" ");
    groups.set(opening, [...(groups.get(opening) ?? []), words.slice(2).join(" ")]);
  }
  return [...groups].filter(([, c]) => c.length >= 4).map(([opening, continuations]) => ({ opening, continuations }));
}

function addPrompt(db: Db, projectId: number, policyId: number, o: Opening, n: number, rng: Rng): TaskSpec {
  const [prompt] = db.insert(prompts).values({ projectId, text: o.opening }).returning().all();
  const picked = shuffle(rng, [...o.continuations]).slice(0, n);
  const ids = picked.map(
    (text) => db.insert(completions).values({ promptId: prompt!.id, policyId, origin: "policy", text: ` ${text}` }).returning().get().id,
  );
  return { promptId: prompt!.id, completionIds: ids };
}

/** Creates the demo project once, all or nothing; a second call finds it and does nothing. */
export function seedDemo(db: Db): { created: boolean; tasks: number } {
  return inTransaction(db, () => seedDemoInTransaction(db));
}

function seedDemoInTransaction(db: Db): { created: boolean; tasks: number } {
  if (db.select().from(projects).where(eq(projects.name, DEMO_PROJECT)).get()) return { created: false, tasks: 0 };
  const rng = createRng(20051);
  const openings = shuffle(rng, loadOpenings());
  const project = ensureProject(db, DEMO_PROJECT, null);
  db.update(projects).set({ guidelines: GUIDELINES }).where(eq(projects.id, project.id)).run();
  const [policy] = db.insert(policies).values({ name: "rotten-tomatoes-reviewers", kind: "imported" }).returning().all();
  let next = 0;
  const specs = (kind: keyof typeof PLAN) =>
    Array.from({ length: PLAN[kind] }, () => addPrompt(db, project.id, policy!.id, openings[next++]!, SIZES[kind], rng));
  const created =
    createPairTasks(db, project.id, specs("pair")).created.length +
    createRankTasks(db, project.id, specs("rank")).created.length +
    createCorrectionTasks(db, project.id, specs("correction")).created.length;
  return { created: true, tasks: created };
}
